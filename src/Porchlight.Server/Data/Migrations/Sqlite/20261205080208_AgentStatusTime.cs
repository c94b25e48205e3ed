using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AgentStatusTime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<decimal>(
                name: "AgentHourlyCost",
                table: "Workspaces",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AgentStatusPeriods",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastSeenAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgentStatusPeriods", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AgentStatusPeriods_Agents_AgentId",
                        column: x => x.AgentId,
                        principalTable: "Agents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AgentStatusPeriods_AgentId_EndedAt",
                table: "AgentStatusPeriods",
                columns: new[] { "AgentId", "EndedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AgentStatusPeriods_WorkspaceId_StartedAt",
                table: "AgentStatusPeriods",
                columns: new[] { "WorkspaceId", "StartedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AgentStatusPeriods");

            migrationBuilder.DropColumn(
                name: "AgentHourlyCost",
                table: "Workspaces");
        }
    }
}
