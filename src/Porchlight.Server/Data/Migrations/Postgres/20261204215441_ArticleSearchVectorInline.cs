using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ArticleSearchVectorInline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Search reads the vector of every article a word matches, to rank it. Left to the default storage, a
            // vector of a few kilobytes moves out of line (TOAST) and each read costs extra page look-ups: 54 ms to
            // rank a word found in 5,000 articles, against 20 ms with the vector kept in the row (docs/benchmarks.md).
            // MAIN keeps it in the row; the row may grow to a page before anything moves out, and the body and plain
            // text (default storage) move out first. The UPDATE rewrites the rows already stored.
            migrationBuilder.Sql("""ALTER TABLE "Articles" ALTER COLUMN "SearchVector" SET STORAGE MAIN;""");
            migrationBuilder.Sql("""ALTER TABLE "Articles" SET (toast_tuple_target = 8160);""");
            migrationBuilder.Sql("""UPDATE "Articles" SET "PlainText" = "PlainText";""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER TABLE "Articles" RESET (toast_tuple_target);""");
            migrationBuilder.Sql("""ALTER TABLE "Articles" ALTER COLUMN "SearchVector" SET STORAGE EXTENDED;""");
        }
    }
}
