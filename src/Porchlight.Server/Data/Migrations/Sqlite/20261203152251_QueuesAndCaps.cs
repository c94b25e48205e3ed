using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class QueuesAndCaps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Conversations_TeamId",
                table: "Conversations");

            migrationBuilder.AddColumn<string>(
                name: "Caps",
                table: "Workspaces",
                type: "TEXT",
                nullable: false,
                defaultValue: "{\"all\":5}");

            migrationBuilder.AddColumn<string>(
                name: "Strategy",
                table: "Teams",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "LeastLoaded");

            migrationBuilder.AddColumn<DateTime>(
                name: "LastAssignedAt",
                table: "TeamMembers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "DefaultTeamId",
                table: "Inboxes",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "QueuedAt",
                table: "Conversations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Caps",
                table: "Agents",
                type: "TEXT",
                nullable: false,
                defaultValue: "{}");

            // Conversations that already wait for a team (nobody assigned, still active) join its queue, oldest first.
            migrationBuilder.Sql(
                """UPDATE "Conversations" SET "QueuedAt" = "CreatedAt" WHERE "TeamId" IS NOT NULL AND "AssigneeId" IS NULL AND "Status" IN ('Open', 'Pending')""");

            migrationBuilder.CreateTable(
                name: "RoutingDecisions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AgentId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    DecidedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Waited = table.Column<TimeSpan>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RoutingDecisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RoutingDecisions_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_RoutingDecisions_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Inboxes_DefaultTeamId",
                table: "Inboxes",
                column: "DefaultTeamId");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_TeamId_QueuedAt",
                table: "Conversations",
                columns: new[] { "TeamId", "QueuedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RoutingDecisions_ConversationId_DecidedAt",
                table: "RoutingDecisions",
                columns: new[] { "ConversationId", "DecidedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RoutingDecisions_TeamId_DecidedAt",
                table: "RoutingDecisions",
                columns: new[] { "TeamId", "DecidedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RoutingDecisions_WorkspaceId",
                table: "RoutingDecisions",
                column: "WorkspaceId");

            migrationBuilder.AddForeignKey(
                name: "FK_Inboxes_Teams_DefaultTeamId",
                table: "Inboxes",
                column: "DefaultTeamId",
                principalTable: "Teams",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Inboxes_Teams_DefaultTeamId",
                table: "Inboxes");

            migrationBuilder.DropTable(
                name: "RoutingDecisions");

            migrationBuilder.DropIndex(
                name: "IX_Inboxes_DefaultTeamId",
                table: "Inboxes");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_TeamId_QueuedAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "Caps",
                table: "Workspaces");

            migrationBuilder.DropColumn(
                name: "Strategy",
                table: "Teams");

            migrationBuilder.DropColumn(
                name: "LastAssignedAt",
                table: "TeamMembers");

            migrationBuilder.DropColumn(
                name: "DefaultTeamId",
                table: "Inboxes");

            migrationBuilder.DropColumn(
                name: "QueuedAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "Caps",
                table: "Agents");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_TeamId",
                table: "Conversations",
                column: "TeamId");
        }
    }
}
