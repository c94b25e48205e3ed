using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
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
                type: "text",
                nullable: false,
                defaultValue: "");

            // Articles saved before: their Markdown stands in for the plain text until they are saved again.
            migrationBuilder.Sql("""UPDATE "Articles" SET "PlainText" = "Body";""");

            // Weighted so a title match ranks above a description match above a body match. 'simple': no stemming,
            // the same words as SQLite's tokenizer, whatever the article's language. Angle brackets become spaces
            // first: PostgreSQL's parser skips anything shaped like a tag, so "<script>" would not be a word.
            migrationBuilder.Sql("""
                ALTER TABLE "Articles" ADD "SearchVector" tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('simple', regexp_replace("Title", '[<>]', ' ', 'g')), 'A') ||
                    setweight(to_tsvector('simple', regexp_replace("Description", '[<>]', ' ', 'g')), 'B') ||
                    setweight(to_tsvector('simple', regexp_replace("PlainText", '[<>]', ' ', 'g')), 'C')) STORED;
                CREATE INDEX "IX_Articles_SearchVector" ON "Articles" USING GIN ("SearchVector");
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER TABLE "Articles" DROP COLUMN "SearchVector";""");

            migrationBuilder.DropColumn(
                name: "PlainText",
                table: "Articles");
        }
    }
}
