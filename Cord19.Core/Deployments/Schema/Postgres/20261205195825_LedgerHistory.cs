using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cord19.Core.Deployments.Schema.Postgres
{
    /// <inheritdoc />
    public partial class LedgerHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Resources_DeploymentId_Kind_Locator",
                table: "Resources");

            migrationBuilder.CreateIndex(
                name: "IX_Resources_DeploymentId_Kind_Locator",
                table: "Resources",
                columns: new[] { "DeploymentId", "Kind", "Locator" },
                unique: true,
                filter: "\"DeletedAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Resources_DeploymentId_Kind_Locator",
                table: "Resources");

            migrationBuilder.CreateIndex(
                name: "IX_Resources_DeploymentId_Kind_Locator",
                table: "Resources",
                columns: new[] { "DeploymentId", "Kind", "Locator" },
                unique: true);
        }
    }
}
