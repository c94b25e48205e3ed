using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SelfServiceRecomputeAndTeamRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "FactsRecomputeRequestedAt",
                table: "Workspaces",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "FactsRecomputedAt",
                table: "Workspaces",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "FactsRecomputedUpTo",
                table: "Workspaces",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ArticleReads",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ArticleId = table.Column<Guid>(type: "TEXT", nullable: false),
                    InboxId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ContactId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReadAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ArticleReads", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ArticleReads_Articles_ArticleId",
                        column: x => x.ArticleId,
                        principalTable: "Articles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ReportTeamRollups",
                columns: table => new
                {
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    InboxId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Metric = table.Column<int>(type: "INTEGER", nullable: false),
                    Bucket = table.Column<int>(type: "INTEGER", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false),
                    Milliseconds = table.Column<long>(type: "INTEGER", nullable: false),
                    BusinessMilliseconds = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportTeamRollups", x => new { x.WorkspaceId, x.Day, x.InboxId, x.TeamId, x.Metric, x.Bucket });
                    table.ForeignKey(
                        name: "FK_ReportTeamRollups_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ArticleReads_ArticleId",
                table: "ArticleReads",
                column: "ArticleId");

            migrationBuilder.CreateIndex(
                name: "IX_ArticleReads_ContactId_ReadAt",
                table: "ArticleReads",
                columns: new[] { "ContactId", "ReadAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ArticleReads_WorkspaceId_ReadAt",
                table: "ArticleReads",
                columns: new[] { "WorkspaceId", "ReadAt" });

            // The days rolled up before this version get their team rollup from the agents' rollup, as the job makes it.
            migrationBuilder.Sql("""
                INSERT INTO "ReportTeamRollups" ("WorkspaceId", "Day", "InboxId", "TeamId", "Metric", "Bucket", "Count", "Milliseconds", "BusinessMilliseconds")
                SELECT "WorkspaceId", "Day", "InboxId", "TeamId", "Metric", "Bucket", SUM("Count"), SUM("Milliseconds"), SUM("BusinessMilliseconds")
                FROM "ReportRollups"
                GROUP BY "WorkspaceId", "Day", "InboxId", "TeamId", "Metric", "Bucket"
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ArticleReads");

            migrationBuilder.DropTable(
                name: "ReportTeamRollups");

            migrationBuilder.DropColumn(
                name: "FactsRecomputeRequestedAt",
                table: "Workspaces");

            migrationBuilder.DropColumn(
                name: "FactsRecomputedAt",
                table: "Workspaces");

            migrationBuilder.DropColumn(
                name: "FactsRecomputedUpTo",
                table: "Workspaces");
        }
    }
}
