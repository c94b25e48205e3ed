using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ApiChannel : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "InboxIds",
                table: "WebhookSubscriptions",
                type: "text",
                nullable: false,
                defaultValue: "[]");

            // Emails are kept in lower case from now on (one address, one customer, found by index).
            migrationBuilder.Sql("UPDATE \"Contacts\" SET \"Email\" = lower(\"Email\") WHERE \"Email\" <> lower(\"Email\");");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "InboxIds",
                table: "WebhookSubscriptions");
        }
    }
}
