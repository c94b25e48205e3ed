using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AssistantSessionKeepsItsBot : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_AssistantSessions_WebhookSubscriptions_BotWebhookId",
                table: "AssistantSessions");

            migrationBuilder.DropIndex(
                name: "IX_AssistantSessions_BotWebhookId",
                table: "AssistantSessions");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_AssistantSessions_BotWebhookId",
                table: "AssistantSessions",
                column: "BotWebhookId");

            migrationBuilder.AddForeignKey(
                name: "FK_AssistantSessions_WebhookSubscriptions_BotWebhookId",
                table: "AssistantSessions",
                column: "BotWebhookId",
                principalTable: "WebhookSubscriptions",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }
    }
}
