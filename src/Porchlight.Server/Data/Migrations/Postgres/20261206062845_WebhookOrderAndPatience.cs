using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class WebhookOrderAndPatience : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "DisabledAt",
                table: "WebhookSubscriptions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DisabledReason",
                table: "WebhookSubscriptions",
                type: "character varying(700)",
                maxLength: 700,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "FailingSince",
                table: "WebhookSubscriptions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastFailedAt",
                table: "WebhookSubscriptions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "OrderingKey",
                table: "WebhookDeliveries",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.CreateIndex(
                name: "IX_WebhookDeliveries_SubscriptionId_OrderingKey_State_Id",
                table: "WebhookDeliveries",
                columns: new[] { "SubscriptionId", "OrderingKey", "State", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_WebhookDeliveries_SubscriptionId_State_Id",
                table: "WebhookDeliveries",
                columns: new[] { "SubscriptionId", "State", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WebhookDeliveries_SubscriptionId_OrderingKey_State_Id",
                table: "WebhookDeliveries");

            migrationBuilder.DropIndex(
                name: "IX_WebhookDeliveries_SubscriptionId_State_Id",
                table: "WebhookDeliveries");

            migrationBuilder.DropColumn(
                name: "DisabledAt",
                table: "WebhookSubscriptions");

            migrationBuilder.DropColumn(
                name: "DisabledReason",
                table: "WebhookSubscriptions");

            migrationBuilder.DropColumn(
                name: "FailingSince",
                table: "WebhookSubscriptions");

            migrationBuilder.DropColumn(
                name: "LastFailedAt",
                table: "WebhookSubscriptions");

            migrationBuilder.DropColumn(
                name: "OrderingKey",
                table: "WebhookDeliveries");
        }
    }
}
