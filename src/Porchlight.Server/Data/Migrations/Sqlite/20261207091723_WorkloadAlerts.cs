using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WorkloadAlerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "DifficultRun",
                table: "StaffingSettings",
                type: "INTEGER",
                nullable: false,
                defaultValue: 3);

            migrationBuilder.AddColumn<int>(
                name: "OverloadMinutes",
                table: "StaffingSettings",
                type: "INTEGER",
                nullable: false,
                defaultValue: 45);

            migrationBuilder.AddColumn<bool>(
                name: "ReduceCapOnOverload",
                table: "StaffingSettings",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "WorkloadAlerts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Since = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RaisedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    EndedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DismissedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DismissedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    CapLowered = table.Column<bool>(type: "INTEGER", nullable: false),
                    CapsBefore = table.Column<string>(type: "TEXT", nullable: false),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WorkloadAlerts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WorkloadAlerts_Agents_AgentId",
                        column: x => x.AgentId,
                        principalTable: "Agents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ConversationEvents_AgentId_Kind_At",
                table: "ConversationEvents",
                columns: new[] { "AgentId", "Kind", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkloadAlerts_AgentId_Kind",
                table: "WorkloadAlerts",
                columns: new[] { "AgentId", "Kind" },
                unique: true,
                filter: "\"DismissedAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_WorkloadAlerts_WorkspaceId_RaisedAt",
                table: "WorkloadAlerts",
                columns: new[] { "WorkspaceId", "RaisedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "WorkloadAlerts");

            migrationBuilder.DropIndex(
                name: "IX_ConversationEvents_AgentId_Kind_At",
                table: "ConversationEvents");

            migrationBuilder.DropColumn(
                name: "DifficultRun",
                table: "StaffingSettings");

            migrationBuilder.DropColumn(
                name: "OverloadMinutes",
                table: "StaffingSettings");

            migrationBuilder.DropColumn(
                name: "ReduceCapOnOverload",
                table: "StaffingSettings");
        }
    }
}
