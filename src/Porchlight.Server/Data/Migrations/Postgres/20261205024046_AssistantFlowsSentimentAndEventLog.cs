using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AssistantFlowsSentimentAndEventLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "QuickReplies",
                table: "Messages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "Sentiment",
                table: "Messages",
                type: "double precision",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AssistantFlows",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    InboxId = table.Column<Guid>(type: "uuid", nullable: false),
                    IsEnabled = table.Column<bool>(type: "boolean", nullable: false),
                    BotWebhookId = table.Column<Guid>(type: "uuid", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    CurrentVersionId = table.Column<Guid>(type: "uuid", nullable: false),
                    Definition = table.Column<string>(type: "text", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AssistantFlows", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AssistantFlows_Inboxes_InboxId",
                        column: x => x.InboxId,
                        principalTable: "Inboxes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AssistantFlows_WebhookSubscriptions_BotWebhookId",
                        column: x => x.BotWebhookId,
                        principalTable: "WebhookSubscriptions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "ConversationEvents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    ConversationId = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Kind = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    AgentId = table.Column<Guid>(type: "uuid", nullable: true),
                    TeamId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConversationEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ConversationEvents_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AssistantFlowVersions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    FlowId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Definition = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AssistantFlowVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AssistantFlowVersions_AssistantFlows_FlowId",
                        column: x => x.FlowId,
                        principalTable: "AssistantFlows",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AssistantSessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    ConversationId = table.Column<Guid>(type: "uuid", nullable: false),
                    InboxId = table.Column<Guid>(type: "uuid", nullable: false),
                    FlowVersionId = table.Column<Guid>(type: "uuid", nullable: false),
                    BotWebhookId = table.Column<Guid>(type: "uuid", nullable: true),
                    State = table.Column<string>(type: "text", nullable: false),
                    Outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    HandledSequence = table.Column<long>(type: "bigint", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AssistantSessions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AssistantSessions_AssistantFlowVersions_FlowVersionId",
                        column: x => x.FlowVersionId,
                        principalTable: "AssistantFlowVersions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AssistantSessions_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AssistantFlows_BotWebhookId",
                table: "AssistantFlows",
                column: "BotWebhookId");

            migrationBuilder.CreateIndex(
                name: "IX_AssistantFlows_InboxId",
                table: "AssistantFlows",
                column: "InboxId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AssistantFlowVersions_FlowId_Number",
                table: "AssistantFlowVersions",
                columns: new[] { "FlowId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AssistantSessions_ConversationId",
                table: "AssistantSessions",
                column: "ConversationId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AssistantSessions_FlowVersionId",
                table: "AssistantSessions",
                column: "FlowVersionId");

            migrationBuilder.CreateIndex(
                name: "IX_AssistantSessions_WorkspaceId_StartedAt",
                table: "AssistantSessions",
                columns: new[] { "WorkspaceId", "StartedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ConversationEvents_ConversationId_At",
                table: "ConversationEvents",
                columns: new[] { "ConversationId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ConversationEvents_WorkspaceId_At",
                table: "ConversationEvents",
                columns: new[] { "WorkspaceId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AssistantSessions");

            migrationBuilder.DropTable(
                name: "ConversationEvents");

            migrationBuilder.DropTable(
                name: "AssistantFlowVersions");

            migrationBuilder.DropTable(
                name: "AssistantFlows");

            migrationBuilder.DropColumn(
                name: "QuickReplies",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "Sentiment",
                table: "Messages");
        }
    }
}
