// Bundles the loader and the chat frame into the server's wwwroot/widget/ (served by MapStaticAssets).
// `node build.mjs` builds once; `node build.mjs --watch` rebuilds on change. Type checking is `tsc --noEmit`
// (npm run build runs both), because esbuild strips types without checking them.
import * as esbuild from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "../../src/Porchlight.Server/wwwroot/widget");
const watch = process.argv.includes("--watch");

const common = {
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "none",
  logLevel: "warning",
};

const builds = [
  { ...common, entryPoints: [join(here, "src/loader.ts")], outfile: join(out, "loader.js") },
  { ...common, entryPoints: [join(here, "src/frame/main.ts")], outfile: join(out, "frame.js") },
  { bundle: true, minify: true, logLevel: "warning", entryPoints: [join(here, "src/frame/frame.css")], outfile: join(out, "frame.css") },
];

await mkdir(out, { recursive: true });
const copyHtml = () => copyFile(join(here, "src/frame/frame.html"), join(out, "frame.html"));

if (watch) {
  for (const options of builds) {
    await (await esbuild.context(options)).watch();
  }
  await copyHtml();
  console.log(`watching; writing to ${out}`);
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  await copyHtml();
}
