using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CannedResponseSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // As for articles (ArticleSearch): a generated, weighted vector with a GIN index, unknown to the EF model;
            // the shortcut ("refund-policy" reads as two words) and title above the text.
            migrationBuilder.Sql("""
                ALTER TABLE "CannedResponses" ADD "SearchVector" tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('simple', regexp_replace("Shortcut" || ' ' || "Title", '[<>]', ' ', 'g')), 'A') ||
                    setweight(to_tsvector('simple', regexp_replace("Text", '[<>]', ' ', 'g')), 'C')) STORED;
                CREATE INDEX "IX_CannedResponses_SearchVector" ON "CannedResponses" USING GIN ("SearchVector");
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER TABLE "CannedResponses" DROP COLUMN "SearchVector";""");
        }
    }
}
