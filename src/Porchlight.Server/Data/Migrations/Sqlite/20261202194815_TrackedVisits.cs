using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TrackedVisits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "SentAt",
                table: "TrackedEvents",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Tracking",
                table: "Inboxes",
                type: "TEXT",
                nullable: false,
                defaultValue: "{\"mode\":\"On\",\"requireConsent\":false,\"keptQueryParameters\":[],\"ipAddresses\":\"Truncated\",\"allowedOrigins\":[],\"retentionDays\":396}");

            migrationBuilder.CreateTable(
                name: "DailySalts",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Value = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DailySalts", x => x.Day);
                });

            migrationBuilder.CreateTable(
                name: "TrackedSessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    InboxId = table.Column<Guid>(type: "TEXT", nullable: false),
                    VisitorKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SessionKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastSeenAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EntryUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    ExitUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    PageViews = table.Column<int>(type: "INTEGER", nullable: false),
                    CustomEvents = table.Column<int>(type: "INTEGER", nullable: false),
                    IsReturning = table.Column<bool>(type: "INTEGER", nullable: false),
                    Referrer = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    UtmSource = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    UtmMedium = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    UtmCampaign = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Browser = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Os = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Device = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    IpAddress = table.Column<string>(type: "TEXT", maxLength: 45, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrackedSessions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TrackedSessions_Inboxes_InboxId",
                        column: x => x.InboxId,
                        principalTable: "Inboxes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TrackedVisitors",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    InboxId = table.Column<Guid>(type: "TEXT", nullable: false),
                    VisitorKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ContactId = table.Column<Guid>(type: "TEXT", nullable: true),
                    FirstSeenAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastSeenAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Visits = table.Column<int>(type: "INTEGER", nullable: false),
                    FirstReferrer = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    FirstUtmSource = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    FirstUtmCampaign = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrackedVisitors", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TrackedVisitors_Inboxes_InboxId",
                        column: x => x.InboxId,
                        principalTable: "Inboxes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_TrackedSessions_InboxId_SessionKey",
                table: "TrackedSessions",
                columns: new[] { "InboxId", "SessionKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TrackedSessions_InboxId_StartedAt",
                table: "TrackedSessions",
                columns: new[] { "InboxId", "StartedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_TrackedSessions_InboxId_VisitorKey_StartedAt",
                table: "TrackedSessions",
                columns: new[] { "InboxId", "VisitorKey", "StartedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_TrackedVisitors_ContactId",
                table: "TrackedVisitors",
                column: "ContactId");

            migrationBuilder.CreateIndex(
                name: "IX_TrackedVisitors_InboxId_VisitorKey",
                table: "TrackedVisitors",
                columns: new[] { "InboxId", "VisitorKey" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DailySalts");

            migrationBuilder.DropTable(
                name: "TrackedSessions");

            migrationBuilder.DropTable(
                name: "TrackedVisitors");

            migrationBuilder.DropColumn(
                name: "SentAt",
                table: "TrackedEvents");

            migrationBuilder.DropColumn(
                name: "Tracking",
                table: "Inboxes");
        }
    }
}
