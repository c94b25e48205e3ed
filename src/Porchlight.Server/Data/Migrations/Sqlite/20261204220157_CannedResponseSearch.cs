using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CannedResponseSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // As for articles (ArticleSearch): an FTS5 table of its own kept by triggers, with the workspace and the
            // owner (Guid.Empty for shared responses) riding along unindexed so a search filters by them in the index.
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "CannedResponseSearch" USING fts5(
                    "CannedResponseId" UNINDEXED, "WorkspaceId" UNINDEXED, "OwnerKey" UNINDEXED,
                    "Shortcut", "Title", "Text",
                    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
                INSERT INTO "CannedResponseSearch" ("CannedResponseId", "WorkspaceId", "OwnerKey", "Shortcut", "Title", "Text")
                    SELECT "Id", "WorkspaceId", "OwnerKey", "Shortcut", "Title", "Text" FROM "CannedResponses";
                CREATE TRIGGER "CannedResponses_Search_Insert" AFTER INSERT ON "CannedResponses" BEGIN
                    INSERT INTO "CannedResponseSearch" ("CannedResponseId", "WorkspaceId", "OwnerKey", "Shortcut", "Title", "Text")
                        VALUES (new."Id", new."WorkspaceId", new."OwnerKey", new."Shortcut", new."Title", new."Text");
                END;
                CREATE TRIGGER "CannedResponses_Search_Update" AFTER UPDATE OF "OwnerKey", "Shortcut", "Title", "Text" ON "CannedResponses" BEGIN
                    DELETE FROM "CannedResponseSearch" WHERE "CannedResponseId" = old."Id";
                    INSERT INTO "CannedResponseSearch" ("CannedResponseId", "WorkspaceId", "OwnerKey", "Shortcut", "Title", "Text")
                        VALUES (new."Id", new."WorkspaceId", new."OwnerKey", new."Shortcut", new."Title", new."Text");
                END;
                CREATE TRIGGER "CannedResponses_Search_Delete" AFTER DELETE ON "CannedResponses" BEGIN
                    DELETE FROM "CannedResponseSearch" WHERE "CannedResponseId" = old."Id";
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "CannedResponses_Search_Delete";
                DROP TRIGGER "CannedResponses_Search_Update";
                DROP TRIGGER "CannedResponses_Search_Insert";
                DROP TABLE "CannedResponseSearch";
                """);
        }
    }
}
