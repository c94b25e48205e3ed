using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Workforce : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ForecastAdjustments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    InboxId = table.Column<Guid>(type: "TEXT", nullable: true),
                    FirstDay = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    LastDay = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Multiplier = table.Column<double>(type: "REAL", nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ForecastAdjustments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ForecastAdjustments_Inboxes_InboxId",
                        column: x => x.InboxId,
                        principalTable: "Inboxes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ForecastAdjustments_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "StaffingSettings",
                columns: table => new
                {
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ServiceLevelPercent = table.Column<int>(type: "INTEGER", nullable: false),
                    AnswerWithinSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    MaxAverageWaitSeconds = table.Column<int>(type: "INTEGER", nullable: true),
                    MaxOccupancyPercent = table.Column<int>(type: "INTEGER", nullable: true),
                    ShrinkagePercent = table.Column<int>(type: "INTEGER", nullable: false),
                    ChatsPerAgent = table.Column<int>(type: "INTEGER", nullable: true),
                    HandleTimeSeconds = table.Column<int>(type: "INTEGER", nullable: true),
                    HistoryWeeks = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StaffingSettings", x => x.WorkspaceId);
                    table.ForeignKey(
                        name: "FK_StaffingSettings_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ForecastAdjustments_InboxId",
                table: "ForecastAdjustments",
                column: "InboxId");

            migrationBuilder.CreateIndex(
                name: "IX_ForecastAdjustments_WorkspaceId_LastDay",
                table: "ForecastAdjustments",
                columns: new[] { "WorkspaceId", "LastDay" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ForecastAdjustments");

            migrationBuilder.DropTable(
                name: "StaffingSettings");
        }
    }
}
