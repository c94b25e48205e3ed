using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ExactlyOnceEffects : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "BreachEscalatedAt",
                table: "SlaClocks",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "WarningEscalatedAt",
                table: "SlaClocks",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "OutboxMessageId",
                table: "AutomationRuns",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_AutomationRuns_OutboxMessageId_RuleId",
                table: "AutomationRuns",
                columns: new[] { "OutboxMessageId", "RuleId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AutomationRuns_OutboxMessageId_RuleId",
                table: "AutomationRuns");

            migrationBuilder.DropColumn(
                name: "BreachEscalatedAt",
                table: "SlaClocks");

            migrationBuilder.DropColumn(
                name: "WarningEscalatedAt",
                table: "SlaClocks");

            migrationBuilder.DropColumn(
                name: "OutboxMessageId",
                table: "AutomationRuns");
        }
    }
}
