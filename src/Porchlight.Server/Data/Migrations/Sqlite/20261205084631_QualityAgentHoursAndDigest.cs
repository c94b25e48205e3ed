using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porchlight.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class QualityAgentHoursAndDigest : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<decimal>(
                name: "AgentHourlyCost",
                table: "Workspaces",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "LastDigestWeek",
                table: "Workspaces",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "WantsWeeklyDigest",
                table: "Agents",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "AgentStatusPeriods",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastSeenAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgentStatusPeriods", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AgentStatusPeriods_Agents_AgentId",
                        column: x => x.AgentId,
                        principalTable: "Agents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ConversationFlags",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    RaisedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    RaisedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ClosedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    ClosedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Resolution = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConversationFlags", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ConversationFlags_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Scorecards",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    IsActive = table.Column<bool>(type: "INTEGER", nullable: false),
                    Criteria = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Scorecards", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Calibrations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ScorecardId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReviewerIds = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Calibrations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Calibrations_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Calibrations_Scorecards_ScorecardId",
                        column: x => x.ScorecardId,
                        principalTable: "Scorecards",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "QualitySamplings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    IsEnabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    PerAgentPerWeek = table.Column<int>(type: "INTEGER", nullable: false),
                    ScorecardId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ReviewerIds = table.Column<string>(type: "TEXT", nullable: false),
                    LastDrawnWeek = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QualitySamplings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QualitySamplings_Scorecards_ScorecardId",
                        column: x => x.ScorecardId,
                        principalTable: "Scorecards",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "QualityReviews",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReviewerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ScorecardId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CalibrationId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Scores = table.Column<string>(type: "TEXT", nullable: false),
                    MessageComments = table.Column<string>(type: "TEXT", nullable: false),
                    Comment = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Percent = table.Column<double>(type: "REAL", nullable: true),
                    SampledWeek = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    SampleReason = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    AssignedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    SubmittedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    AgentResponse = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    RespondedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QualityReviews", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QualityReviews_Calibrations_CalibrationId",
                        column: x => x.CalibrationId,
                        principalTable: "Calibrations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_QualityReviews_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_QualityReviews_Scorecards_ScorecardId",
                        column: x => x.ScorecardId,
                        principalTable: "Scorecards",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AgentStatusPeriods_AgentId_EndedAt",
                table: "AgentStatusPeriods",
                columns: new[] { "AgentId", "EndedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AgentStatusPeriods_WorkspaceId_StartedAt",
                table: "AgentStatusPeriods",
                columns: new[] { "WorkspaceId", "StartedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Calibrations_ConversationId",
                table: "Calibrations",
                column: "ConversationId");

            migrationBuilder.CreateIndex(
                name: "IX_Calibrations_ScorecardId",
                table: "Calibrations",
                column: "ScorecardId");

            migrationBuilder.CreateIndex(
                name: "IX_Calibrations_WorkspaceId_CreatedAt",
                table: "Calibrations",
                columns: new[] { "WorkspaceId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ConversationFlags_ConversationId",
                table: "ConversationFlags",
                column: "ConversationId");

            migrationBuilder.CreateIndex(
                name: "IX_ConversationFlags_WorkspaceId_ClosedAt_RaisedAt",
                table: "ConversationFlags",
                columns: new[] { "WorkspaceId", "ClosedAt", "RaisedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_QualityReviews_CalibrationId_ReviewerId",
                table: "QualityReviews",
                columns: new[] { "CalibrationId", "ReviewerId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_QualityReviews_ConversationId",
                table: "QualityReviews",
                column: "ConversationId");

            migrationBuilder.CreateIndex(
                name: "IX_QualityReviews_ScorecardId",
                table: "QualityReviews",
                column: "ScorecardId");

            migrationBuilder.CreateIndex(
                name: "IX_QualityReviews_WorkspaceId_AgentId_SampledWeek",
                table: "QualityReviews",
                columns: new[] { "WorkspaceId", "AgentId", "SampledWeek" });

            migrationBuilder.CreateIndex(
                name: "IX_QualityReviews_WorkspaceId_ReviewerId_Status",
                table: "QualityReviews",
                columns: new[] { "WorkspaceId", "ReviewerId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_QualitySamplings_ScorecardId",
                table: "QualitySamplings",
                column: "ScorecardId");

            migrationBuilder.CreateIndex(
                name: "IX_QualitySamplings_WorkspaceId",
                table: "QualitySamplings",
                column: "WorkspaceId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Scorecards_WorkspaceId_Name",
                table: "Scorecards",
                columns: new[] { "WorkspaceId", "Name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AgentStatusPeriods");

            migrationBuilder.DropTable(
                name: "ConversationFlags");

            migrationBuilder.DropTable(
                name: "QualityReviews");

            migrationBuilder.DropTable(
                name: "QualitySamplings");

            migrationBuilder.DropTable(
                name: "Calibrations");

            migrationBuilder.DropTable(
                name: "Scorecards");

            migrationBuilder.DropColumn(
                name: "AgentHourlyCost",
                table: "Workspaces");

            migrationBuilder.DropColumn(
                name: "LastDigestWeek",
                table: "Workspaces");

            migrationBuilder.DropColumn(
                name: "WantsWeeklyDigest",
                table: "Agents");
        }
    }
}
