using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PrivacyRequests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ErasureMode",
                table: "Workspaces",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                // Workspaces from before the setting anonymize, as new ones do (ErasureMode.Anonymize, the enum's default).
                defaultValue: "Anonymize");

            migrationBuilder.AddColumn<DateTime>(
                name: "ErasedAt",
                table: "Contacts",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ErasureMode",
                table: "Workspaces");

            migrationBuilder.DropColumn(
                name: "ErasedAt",
                table: "Contacts");
        }
    }
}
