using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AgentRollupIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_ReportRollups_ByAgent",
                table: "ReportRollups",
                columns: new[] { "WorkspaceId", "Day", "AgentId", "InboxId", "TeamId", "Metric", "Bucket", "Count", "Milliseconds", "BusinessMilliseconds" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ReportRollups_ByAgent",
                table: "ReportRollups");
        }
    }
}
