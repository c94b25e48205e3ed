using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class OfflineEmail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "OfflineEmailInboxId",
                table: "Inboxes",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Inboxes_OfflineEmailInboxId",
                table: "Inboxes",
                column: "OfflineEmailInboxId");

            migrationBuilder.AddForeignKey(
                name: "FK_Inboxes_Inboxes_OfflineEmailInboxId",
                table: "Inboxes",
                column: "OfflineEmailInboxId",
                principalTable: "Inboxes",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Inboxes_Inboxes_OfflineEmailInboxId",
                table: "Inboxes");

            migrationBuilder.DropIndex(
                name: "IX_Inboxes_OfflineEmailInboxId",
                table: "Inboxes");

            migrationBuilder.DropColumn(
                name: "OfflineEmailInboxId",
                table: "Inboxes");
        }
    }
}
