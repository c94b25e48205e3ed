using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ServiceLevels : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Holidays",
                table: "Workspaces",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<DateTime>(
                name: "AwaitingReplySince",
                table: "Conversations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "SlaPolicies",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    IsEnabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    InboxIds = table.Column<string>(type: "TEXT", nullable: false),
                    TeamIds = table.Column<string>(type: "TEXT", nullable: false),
                    Priorities = table.Column<string>(type: "TEXT", nullable: false),
                    FirstResponseMinutes = table.Column<int>(type: "INTEGER", nullable: true),
                    NextResponseMinutes = table.Column<int>(type: "INTEGER", nullable: true),
                    ResolutionMinutes = table.Column<int>(type: "INTEGER", nullable: true),
                    BusinessHoursOnly = table.Column<bool>(type: "INTEGER", nullable: false),
                    WarnAtPercent = table.Column<int>(type: "INTEGER", nullable: false),
                    Escalation = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SlaPolicies", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SlaPolicies_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SlaClocks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PolicyId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Metric = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    TargetMinutes = table.Column<int>(type: "INTEGER", nullable: false),
                    BusinessHoursOnly = table.Column<bool>(type: "INTEGER", nullable: false),
                    WarnAtPercent = table.Column<int>(type: "INTEGER", nullable: false),
                    UsedSeconds = table.Column<double>(type: "REAL", nullable: false),
                    RunningSince = table.Column<DateTime>(type: "TEXT", nullable: true),
                    WarnAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DueAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    WarnedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    BreachedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    StoppedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SlaClocks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SlaClocks_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_SlaClocks_SlaPolicies_PolicyId",
                        column: x => x.PolicyId,
                        principalTable: "SlaPolicies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_SlaClocks_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SlaClocks_ConversationId_StartedAt",
                table: "SlaClocks",
                columns: new[] { "ConversationId", "StartedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_SlaClocks_DueAt",
                table: "SlaClocks",
                column: "DueAt");

            migrationBuilder.CreateIndex(
                name: "IX_SlaClocks_PolicyId",
                table: "SlaClocks",
                column: "PolicyId");

            migrationBuilder.CreateIndex(
                name: "IX_SlaClocks_WarnAt",
                table: "SlaClocks",
                column: "WarnAt");

            migrationBuilder.CreateIndex(
                name: "IX_SlaClocks_WorkspaceId",
                table: "SlaClocks",
                column: "WorkspaceId");

            migrationBuilder.CreateIndex(
                name: "IX_SlaPolicies_WorkspaceId_Position",
                table: "SlaPolicies",
                columns: new[] { "WorkspaceId", "Position" });

            // A contact still waiting for a reply has waited since their first message after the last agent reply.
            migrationBuilder.Sql("""
                UPDATE "Conversations" SET "AwaitingReplySince" = (
                    SELECT MIN(m."CreatedAt") FROM "Messages" m
                    WHERE m."ConversationId" = "Conversations"."Id" AND m."Kind" = 'Incoming'
                      AND ("Conversations"."LastAgentMessageAt" IS NULL OR m."CreatedAt" > "Conversations"."LastAgentMessageAt"))
                WHERE "Status" <> 'Resolved'
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SlaClocks");

            migrationBuilder.DropTable(
                name: "SlaPolicies");

            migrationBuilder.DropColumn(
                name: "Holidays",
                table: "Workspaces");

            migrationBuilder.DropColumn(
                name: "AwaitingReplySince",
                table: "Conversations");
        }
    }
}
