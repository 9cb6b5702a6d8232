using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cord19.Core.Deployments.Schema.Postgres
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
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            // The region was re-read from the first phase-1 run's saved settings; existing AWS deployments keep it.
            migrationBuilder.Sql("""
                UPDATE "Deployments" d SET "Region" = (
                    SELECT coalesce(r."SettingsJson"::jsonb ->> 'awsRegion', 'us-east-2') FROM "PhaseRuns" r
                    WHERE r."DeploymentId" = d."Id" AND r."PhaseNumber" = 1 AND r."SettingsJson" IS NOT NULL
                    ORDER BY r."StartedAt" NULLS LAST, r."RequestedAt" LIMIT 1)
                WHERE d."Target" = 'aws';
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
