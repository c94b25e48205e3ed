using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ArticleSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PlainText",
                table: "Articles",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            // Articles saved before: their Markdown stands in for the plain text until they are saved again.
            migrationBuilder.Sql("""UPDATE "Articles" SET "PlainText" = "Body";""");

            // An FTS5 table of its own (not external content: the articles' rowids are not stable across VACUUM),
            // kept in step with the articles by triggers, so every writer keeps the index without knowing of it. The
            // workspace, status and language ride along unindexed, so a search filters by them without looking up
            // every matching article.
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "ArticleSearch" USING fts5(
                    "ArticleId" UNINDEXED, "WorkspaceId" UNINDEXED, "Status" UNINDEXED, "Locale" UNINDEXED,
                    "Title", "Description", "PlainText",
                    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
                INSERT INTO "ArticleSearch" ("ArticleId", "WorkspaceId", "Status", "Locale", "Title", "Description", "PlainText")
                    SELECT "Id", "WorkspaceId", "Status", "Locale", "Title", "Description", "PlainText" FROM "Articles";
                CREATE TRIGGER "Articles_Search_Insert" AFTER INSERT ON "Articles" BEGIN
                    INSERT INTO "ArticleSearch" ("ArticleId", "WorkspaceId", "Status", "Locale", "Title", "Description", "PlainText")
                        VALUES (new."Id", new."WorkspaceId", new."Status", new."Locale", new."Title", new."Description", new."PlainText");
                END;
                CREATE TRIGGER "Articles_Search_Update" AFTER UPDATE OF "Status", "Locale", "Title", "Description", "PlainText" ON "Articles" BEGIN
                    DELETE FROM "ArticleSearch" WHERE "ArticleId" = old."Id";
                    INSERT INTO "ArticleSearch" ("ArticleId", "WorkspaceId", "Status", "Locale", "Title", "Description", "PlainText")
                        VALUES (new."Id", new."WorkspaceId", new."Status", new."Locale", new."Title", new."Description", new."PlainText");
                END;
                CREATE TRIGGER "Articles_Search_Delete" AFTER DELETE ON "Articles" BEGIN
                    DELETE FROM "ArticleSearch" WHERE "ArticleId" = old."Id";
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "Articles_Search_Delete";
                DROP TRIGGER "Articles_Search_Update";
                DROP TRIGGER "Articles_Search_Insert";
                DROP TABLE "ArticleSearch";
                """);

            migrationBuilder.DropColumn(
                name: "PlainText",
                table: "Articles");
        }
    }
}
