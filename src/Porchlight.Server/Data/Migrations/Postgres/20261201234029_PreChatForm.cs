using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PreChatForm : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PreChatForm",
                table: "Inboxes",
                type: "text",
                nullable: false,
                // Existing inboxes keep what the widget asked before: name and email, both optional.
                defaultValue: "{\"enabled\":true,\"fields\":[{\"key\":\"name\",\"label\":\"Name\",\"type\":\"Text\",\"required\":false,\"placeholder\":null,\"options\":null},{\"key\":\"email\",\"label\":\"Email\",\"type\":\"Email\",\"required\":false,\"placeholder\":null,\"options\":null}]}");

            migrationBuilder.AlterColumn<Guid>(
                name: "ConversationId",
                table: "Attachments",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.AddColumn<Guid>(
                name: "InboxId",
                table: "Attachments",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Attachments_CreatedAt",
                table: "Attachments",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Attachments_InboxId",
                table: "Attachments",
                column: "InboxId");

            migrationBuilder.AddForeignKey(
                name: "FK_Attachments_Inboxes_InboxId",
                table: "Attachments",
                column: "InboxId",
                principalTable: "Inboxes",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Attachments_Inboxes_InboxId",
                table: "Attachments");

            migrationBuilder.DropIndex(
                name: "IX_Attachments_CreatedAt",
                table: "Attachments");

            migrationBuilder.DropIndex(
                name: "IX_Attachments_InboxId",
                table: "Attachments");

            migrationBuilder.DropColumn(
                name: "PreChatForm",
                table: "Inboxes");

            migrationBuilder.DropColumn(
                name: "InboxId",
                table: "Attachments");

            migrationBuilder.AlterColumn<Guid>(
                name: "ConversationId",
                table: "Attachments",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);
        }
    }
}
