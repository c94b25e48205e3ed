using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LabelRollupsAndReturns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_StaleReportDays",
                table: "StaleReportDays");

            migrationBuilder.AddColumn<int>(
                name: "Rollup",
                table: "StaleReportDays",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "LabelSet",
                table: "ReportFacts",
                type: "text",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddPrimaryKey(
                name: "PK_StaleReportDays",
                table: "StaleReportDays",
                columns: new[] { "WorkspaceId", "Day", "Rollup" });

            migrationBuilder.CreateTable(
                name: "ReportLabelRollups",
                columns: table => new
                {
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    InboxId = table.Column<Guid>(type: "uuid", nullable: false),
                    TeamId = table.Column<Guid>(type: "uuid", nullable: false),
                    LabelSet = table.Column<string>(type: "text", nullable: false),
                    Metric = table.Column<int>(type: "integer", nullable: false),
                    Bucket = table.Column<int>(type: "integer", nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false),
                    Milliseconds = table.Column<long>(type: "bigint", nullable: false),
                    BusinessMilliseconds = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportLabelRollups", x => new { x.WorkspaceId, x.Day, x.InboxId, x.TeamId, x.LabelSet, x.Metric, x.Bucket });
                    table.ForeignKey(
                        name: "FK_ReportLabelRollups_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_WorkspaceId_CreatedAt",
                table: "Conversations",
                columns: new[] { "WorkspaceId", "CreatedAt" });

            // Each fact takes its conversation's labels now (the days are marked for the label rollup by the next
            // migration, once SQLite has rebuilt the marks' table with its new key); and every conversation's facts are
            // worked out again in the background, for the new one saying whether its contact came back.
            migrationBuilder.Sql("""
                UPDATE "ReportFacts" AS f SET "LabelSet" = array_to_json(c."Labels")::text
                FROM "Conversations" AS c WHERE c."Id" = f."ConversationId" AND cardinality(c."Labels") > 0
                """);
            migrationBuilder.Sql("""
                UPDATE "Workspaces" SET "FactsRecomputeRequestedAt" = CURRENT_TIMESTAMP, "FactsRecomputedUpTo" = NULL
                WHERE "FactsRecomputeRequestedAt" IS NULL
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ReportLabelRollups");

            migrationBuilder.DropPrimaryKey(
                name: "PK_StaleReportDays",
                table: "StaleReportDays");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_WorkspaceId_CreatedAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "Rollup",
                table: "StaleReportDays");

            migrationBuilder.DropColumn(
                name: "LabelSet",
                table: "ReportFacts");

            migrationBuilder.AddPrimaryKey(
                name: "PK_StaleReportDays",
                table: "StaleReportDays",
                columns: new[] { "WorkspaceId", "Day" });
        }
    }
}
