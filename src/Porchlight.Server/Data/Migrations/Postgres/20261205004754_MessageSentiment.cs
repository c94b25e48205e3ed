using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MessageSentiment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "Sentiment",
                table: "Messages",
                type: "double precision",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Sentiment",
                table: "Messages");
        }
    }
}
