using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class IdentityVerification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "IdentitySecretRotatedAt",
                table: "Inboxes",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProtectedIdentitySecret",
                table: "Inboxes",
                type: "TEXT",
                maxLength: 512,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "RequireIdentityVerification",
                table: "Inboxes",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "IdentitySecretRotatedAt",
                table: "Inboxes");

            migrationBuilder.DropColumn(
                name: "ProtectedIdentitySecret",
                table: "Inboxes");

            migrationBuilder.DropColumn(
                name: "RequireIdentityVerification",
                table: "Inboxes");
        }
    }
}
