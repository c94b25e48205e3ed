using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TrackedEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "TrackedEvents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    InboxId = table.Column<Guid>(type: "TEXT", nullable: false),
                    VisitorKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SessionKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    Title = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    Referrer = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    UtmSource = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    UtmMedium = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    UtmCampaign = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    UtmTerm = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    UtmContent = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Screen = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    Language = table.Column<string>(type: "TEXT", maxLength: 35, nullable: true),
                    TimeZone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Browser = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Os = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Device = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    DurationMs = table.Column<int>(type: "INTEGER", nullable: true),
                    Properties = table.Column<string>(type: "TEXT", nullable: false),
                    ReceivedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrackedEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TrackedEvents_Inboxes_InboxId",
                        column: x => x.InboxId,
                        principalTable: "Inboxes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_TrackedEvents_InboxId_ReceivedAt",
                table: "TrackedEvents",
                columns: new[] { "InboxId", "ReceivedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_TrackedEvents_InboxId_VisitorKey_ReceivedAt",
                table: "TrackedEvents",
                columns: new[] { "InboxId", "VisitorKey", "ReceivedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "TrackedEvents");
        }
    }
}
