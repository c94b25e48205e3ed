using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
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
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "Other"); // Events stored before devices were read.

            migrationBuilder.AddColumn<string>(
                name: "Device",
                table: "TrackedEvents",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Other"); // Events stored before devices were read.

            migrationBuilder.AddColumn<string>(
                name: "Os",
                table: "TrackedEvents",
                type: "character varying(32)",
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
