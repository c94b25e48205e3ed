using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AssistantBots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "BotWebhookId",
                table: "AssistantSessions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "BotWebhookId",
                table: "AssistantFlows",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_AssistantSessions_BotWebhookId",
                table: "AssistantSessions",
                column: "BotWebhookId");

            migrationBuilder.CreateIndex(
                name: "IX_AssistantFlows_BotWebhookId",
                table: "AssistantFlows",
                column: "BotWebhookId");

            migrationBuilder.AddForeignKey(
                name: "FK_AssistantFlows_WebhookSubscriptions_BotWebhookId",
                table: "AssistantFlows",
                column: "BotWebhookId",
                principalTable: "WebhookSubscriptions",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "FK_AssistantSessions_WebhookSubscriptions_BotWebhookId",
                table: "AssistantSessions",
                column: "BotWebhookId",
                principalTable: "WebhookSubscriptions",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_AssistantFlows_WebhookSubscriptions_BotWebhookId",
                table: "AssistantFlows");

            migrationBuilder.DropForeignKey(
                name: "FK_AssistantSessions_WebhookSubscriptions_BotWebhookId",
                table: "AssistantSessions");

            migrationBuilder.DropIndex(
                name: "IX_AssistantSessions_BotWebhookId",
                table: "AssistantSessions");

            migrationBuilder.DropIndex(
                name: "IX_AssistantFlows_BotWebhookId",
                table: "AssistantFlows");

            migrationBuilder.DropColumn(
                name: "BotWebhookId",
                table: "AssistantSessions");

            migrationBuilder.DropColumn(
                name: "BotWebhookId",
                table: "AssistantFlows");
        }
    }
}
