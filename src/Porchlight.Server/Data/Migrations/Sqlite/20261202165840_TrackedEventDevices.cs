using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TrackedEventDevices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Browser",
                table: "TrackedEvents",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "Other"); // Events stored before devices were read.

            migrationBuilder.AddColumn<string>(
                name: "Device",
                table: "TrackedEvents",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Other"); // Events stored before devices were read.

            migrationBuilder.AddColumn<string>(
                name: "Os",
                table: "TrackedEvents",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "Other"); // Events stored before devices were read.
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Browser",
                table: "TrackedEvents");

            migrationBuilder.DropColumn(
                name: "Device",
                table: "TrackedEvents");

            migrationBuilder.DropColumn(
                name: "Os",
                table: "TrackedEvents");
        }
    }
}
