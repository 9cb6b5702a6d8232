using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cord19.Core.Deployments.Schema.Sqlite
{
    /// <inheritdoc />
    public partial class DeploymentRegion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Region",
                table: "Deployments",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            // The region was re-read from the first phase-1 run's saved settings; existing AWS deployments keep it.
            migrationBuilder.Sql("""
                UPDATE "Deployments" SET "Region" = (
                    SELECT coalesce(json_extract(r."SettingsJson", '$.awsRegion'), 'us-east-2') FROM "PhaseRuns" r
                    WHERE r."DeploymentId" = "Deployments"."Id" AND r."PhaseNumber" = 1 AND r."SettingsJson" IS NOT NULL
                    ORDER BY r."StartedAt" IS NULL, r."StartedAt", r."RequestedAt" LIMIT 1)
                WHERE "Target" = 'aws';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Region",
                table: "Deployments");
        }
    }
}
