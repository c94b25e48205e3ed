using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InboxMembers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "InboxMembers",
                columns: table => new
                {
                    InboxId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboxMembers", x => new { x.InboxId, x.AgentId });
                    table.ForeignKey(
                        name: "FK_InboxMembers_Agents_AgentId",
                        column: x => x.AgentId,
                        principalTable: "Agents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_InboxMembers_Inboxes_InboxId",
                        column: x => x.InboxId,
                        principalTable: "Inboxes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InboxMembers_AgentId_InboxId",
                table: "InboxMembers",
                columns: new[] { "AgentId", "InboxId" });

            // Nothing changes on upgrade: every agent works in every inbox of their workspace until an admin narrows it.
            migrationBuilder.Sql(
                """
                INSERT INTO "InboxMembers" ("InboxId", "AgentId", "WorkspaceId")
                SELECT i."Id", a."Id", i."WorkspaceId" FROM "Inboxes" i JOIN "Agents" a ON a."WorkspaceId" = i."WorkspaceId"
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "InboxMembers");
        }
    }
}
