using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ConversationOpenings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Opening",
                table: "Conversations",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            // Each conversation's opening: the start of its contact's first message with text.
            migrationBuilder.Sql("""
                UPDATE "Conversations" SET "Opening" = (
                    SELECT substr(m."Text", 1, 500) FROM "Messages" AS m
                    WHERE m."ConversationId" = "Conversations"."Id" AND m."Kind" = 'Incoming' AND m."Text" <> ''
                    ORDER BY m."Sequence" LIMIT 1)
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Opening",
                table: "Conversations");
        }
    }
}
