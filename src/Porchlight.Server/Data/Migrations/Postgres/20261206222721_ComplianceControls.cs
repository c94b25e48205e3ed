using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ComplianceControls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ReportFacts_Conversations_ConversationId",
                table: "ReportFacts");

            migrationBuilder.AddColumn<string>(
                name: "ErasureMode",
                table: "Workspaces",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                // Workspaces from before the setting anonymize, as new ones do (ErasureMode.Anonymize, the enum's default).
                defaultValue: "Anonymize");

            migrationBuilder.AddColumn<int>(
                name: "MinPasswordLength",
                table: "Workspaces",
                type: "integer",
                nullable: false,
                defaultValue: 10); // the length every workspace had before it became a setting

            migrationBuilder.AddColumn<bool>(
                name: "RequireTwoFactor",
                table: "Workspaces",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "ErasedAt",
                table: "Contacts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "CustomRoleId",
                table: "Agents",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastAuthenticatorStep",
                table: "Agents",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AgentSessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgentId = table.Column<Guid>(type: "uuid", nullable: false),
                    SecurityStamp = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SignedInAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastSeenAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    IpAddress = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    UserAgent = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    TwoFactor = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgentSessions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AgentSessions_Agents_AgentId",
                        column: x => x.AgentId,
                        principalTable: "Agents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AnonymizedConversations",
                columns: table => new
                {
                    ConversationId = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    AnonymizedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    EntryAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RemovedEntries = table.Column<long>(type: "bigint", nullable: false),
                    MovedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
                name: "CustomRoles",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    Description = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    Permissions = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CustomRoles", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CustomRoles_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LegalHolds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    ContactId = table.Column<Guid>(type: "uuid", nullable: true),
                    ConversationId = table.Column<Guid>(type: "uuid", nullable: true),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    PlacedByAgentId = table.Column<Guid>(type: "uuid", nullable: true),
                    PlacedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    PlacedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    DataClass = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Days = table.Column<int>(type: "integer", nullable: true),
                    Action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Classes = table.Column<string>(type: "text", nullable: false),
                    Problem = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
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
                name: "IX_Agents_CustomRoleId",
                table: "Agents",
                column: "CustomRoleId");

            migrationBuilder.CreateIndex(
                name: "IX_AgentSessions_AgentId",
                table: "AgentSessions",
                column: "AgentId");

            migrationBuilder.CreateIndex(
                name: "IX_AnonymizedConversations_WorkspaceId",
                table: "AnonymizedConversations",
                column: "WorkspaceId");

            migrationBuilder.CreateIndex(
                name: "IX_CustomRoles_WorkspaceId_Name",
                table: "CustomRoles",
                columns: new[] { "WorkspaceId", "Name" },
                unique: true);

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
                name: "FK_Agents_CustomRoles_CustomRoleId",
                table: "Agents",
                column: "CustomRoleId",
                principalTable: "CustomRoles",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

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
                name: "FK_Agents_CustomRoles_CustomRoleId",
                table: "Agents");

            migrationBuilder.DropForeignKey(
                name: "FK_ReportFacts_Workspaces_WorkspaceId",
                table: "ReportFacts");

            migrationBuilder.DropTable(
                name: "AgentSessions");

            migrationBuilder.DropTable(
                name: "AnonymizedConversations");

            migrationBuilder.DropTable(
                name: "AuditChainAnchors");

            migrationBuilder.DropTable(
                name: "CustomRoles");

            migrationBuilder.DropTable(
                name: "LegalHolds");

            migrationBuilder.DropTable(
                name: "RetentionPolicies");

            migrationBuilder.DropTable(
                name: "RetentionRuns");

            migrationBuilder.DropIndex(
                name: "IX_Agents_CustomRoleId",
                table: "Agents");

            migrationBuilder.DropColumn(
                name: "ErasureMode",
                table: "Workspaces");

            migrationBuilder.DropColumn(
                name: "MinPasswordLength",
                table: "Workspaces");

            migrationBuilder.DropColumn(
                name: "RequireTwoFactor",
                table: "Workspaces");

            migrationBuilder.DropColumn(
                name: "ErasedAt",
                table: "Contacts");

            migrationBuilder.DropColumn(
                name: "CustomRoleId",
                table: "Agents");

            migrationBuilder.DropColumn(
                name: "LastAuthenticatorStep",
                table: "Agents");

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
