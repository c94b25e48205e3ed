using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "LabelSet",
                table: "ReportFacts",
                type: "TEXT",
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
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    InboxId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    LabelSet = table.Column<string>(type: "TEXT", nullable: false),
                    Metric = table.Column<int>(type: "INTEGER", nullable: false),
                    Bucket = table.Column<int>(type: "INTEGER", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false),
                    Milliseconds = table.Column<long>(type: "INTEGER", nullable: false),
                    BusinessMilliseconds = table.Column<long>(type: "INTEGER", nullable: false)
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
                UPDATE "ReportFacts" SET "LabelSet" = (SELECT c."Labels" FROM "Conversations" AS c WHERE c."Id" = "ReportFacts"."ConversationId")
                WHERE "ConversationId" IN (SELECT "Id" FROM "Conversations" WHERE "Labels" <> '[]')
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
