using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
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
                type: "numeric",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AgentStatusPeriods",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgentId = table.Column<Guid>(type: "uuid", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LastSeenAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
