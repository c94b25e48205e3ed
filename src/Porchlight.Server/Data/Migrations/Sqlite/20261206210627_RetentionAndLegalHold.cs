using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RetentionAndLegalHold : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ReportFacts_Conversations_ConversationId",
                table: "ReportFacts");

            migrationBuilder.CreateTable(
                name: "AnonymizedConversations",
                columns: table => new
                {
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AnonymizedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AnonymizedConversations", x => x.ConversationId);
                    table.ForeignKey(
                        name: "FK_AnonymizedConversations_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AuditChainAnchors",
                columns: table => new
                {
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    EntryAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RemovedEntries = table.Column<long>(type: "INTEGER", nullable: false),
                    MovedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditChainAnchors", x => x.WorkspaceId);
                    table.ForeignKey(
                        name: "FK_AuditChainAnchors_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LegalHolds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ContactId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    PlacedByAgentId = table.Column<Guid>(type: "TEXT", nullable: true),
                    PlacedByName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    PlacedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LegalHolds", x => x.Id);
                    table.ForeignKey(
                        name: "FK_LegalHolds_Agents_PlacedByAgentId",
                        column: x => x.PlacedByAgentId,
                        principalTable: "Agents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_LegalHolds_Contacts_ContactId",
                        column: x => x.ContactId,
                        principalTable: "Contacts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_LegalHolds_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_LegalHolds_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RetentionPolicies",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DataClass = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Days = table.Column<int>(type: "INTEGER", nullable: true),
                    Action = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetentionPolicies", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RetentionPolicies_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RetentionRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Classes = table.Column<string>(type: "TEXT", nullable: false),
                    Problem = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetentionRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RetentionRuns_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AnonymizedConversations_WorkspaceId",
                table: "AnonymizedConversations",
                column: "WorkspaceId");

            migrationBuilder.CreateIndex(
                name: "IX_LegalHolds_ContactId",
                table: "LegalHolds",
                column: "ContactId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_LegalHolds_ConversationId",
                table: "LegalHolds",
                column: "ConversationId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_LegalHolds_PlacedByAgentId",
                table: "LegalHolds",
                column: "PlacedByAgentId");

            migrationBuilder.CreateIndex(
                name: "IX_LegalHolds_WorkspaceId",
                table: "LegalHolds",
                column: "WorkspaceId");

            migrationBuilder.CreateIndex(
                name: "IX_RetentionPolicies_WorkspaceId_DataClass",
                table: "RetentionPolicies",
                columns: new[] { "WorkspaceId", "DataClass" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RetentionRuns_WorkspaceId_Id",
                table: "RetentionRuns",
                columns: new[] { "WorkspaceId", "Id" });

            migrationBuilder.AddForeignKey(
                name: "FK_ReportFacts_Workspaces_WorkspaceId",
                table: "ReportFacts",
                column: "WorkspaceId",
                principalTable: "Workspaces",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ReportFacts_Workspaces_WorkspaceId",
                table: "ReportFacts");

            migrationBuilder.DropTable(
                name: "AnonymizedConversations");

            migrationBuilder.DropTable(
                name: "AuditChainAnchors");

            migrationBuilder.DropTable(
                name: "LegalHolds");

            migrationBuilder.DropTable(
                name: "RetentionPolicies");

            migrationBuilder.DropTable(
                name: "RetentionRuns");

            migrationBuilder.AddForeignKey(
                name: "FK_ReportFacts_Conversations_ConversationId",
                table: "ReportFacts",
                column: "ConversationId",
                principalTable: "Conversations",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
