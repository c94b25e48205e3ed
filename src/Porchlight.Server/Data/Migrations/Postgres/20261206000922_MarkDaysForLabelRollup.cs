using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MarkDaysForLabelRollup : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Every day with facts, for the label rollup (1): built at the next pass of the rollup job.
            migrationBuilder.Sql("""
                INSERT INTO "StaleReportDays" ("WorkspaceId", "Day", "Rollup", "Version")
                SELECT DISTINCT "WorkspaceId", "Day", 1, 1 FROM "ReportFacts" WHERE TRUE
                ON CONFLICT ("WorkspaceId", "Day", "Rollup") DO UPDATE SET "Version" = "StaleReportDays"."Version" + 1
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Marks only: nothing to undo.
        }
    }
}
