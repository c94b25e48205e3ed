using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class WorkspaceRedaction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Workspaces from before the setting mask nothing until an admin chooses to (decisions/0023); "" would
            // not read back as a detector set.
            migrationBuilder.AddColumn<string>(
                name: "Redaction",
                table: "Workspaces",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "None");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Redaction",
                table: "Workspaces");
        }
    }
}
