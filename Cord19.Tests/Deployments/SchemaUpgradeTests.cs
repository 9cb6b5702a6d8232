using Cord19.Core;
using Cord19.Core.Configuration;
using Cord19.Core.Deployments;
using Cord19.Core.Phases;
using Cord19.Core.Settings;
using Cord19.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cord19.Tests.Deployments;

/// <summary>
/// A database made by the release before migrations (TestData/PreviousRelease, made with EnsureCreated by commit
/// 57973a0) is upgraded at start and keeps its deployments, runs, logs, resources and settings.
/// </summary>
public sealed class SchemaUpgradeTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "TestData", "PreviousRelease");
    private static readonly Guid AwsDeployment = Guid.Parse("0a1b2c3d-0000-4000-8000-0000000000a1");

    [Fact]
    public async Task A_previous_release_sqlite_database_is_upgraded_and_keeps_its_deployments()
    {
        using var dir = new TempDirectory();
        var data = new DataDirectory(dir.Path);
        data.EnsureExists();
        File.Copy(Path.Combine(Folder, "cord19.db"), data.Database);

        await using var services = await StartAsync(data, postgres: null);
        await AssertKeptAsync(services);
    }

    [Fact]
    public async Task A_previous_release_postgres_database_is_upgraded_and_keeps_its_deployments()
    {
        var postgres = await TestPostgres.CreateDatabaseAsync();
        try
        {
            await using (var restore = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgres) { Pooling = false }.ConnectionString))
            {
                await restore.OpenAsync();
                await using var script = new NpgsqlCommand(await File.ReadAllTextAsync(Path.Combine(Folder, "cord19.postgres.sql")), restore);
                await script.ExecuteNonQueryAsync();
            }
            using var dir = new TempDirectory();
            await using var services = await StartAsync(new DataDirectory(dir.Path), postgres);
            await AssertKeptAsync(services);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(postgres);
        }
    }

    [Theory]
    [InlineData(CoreHarness.Sqlite)]
    [InlineData(CoreHarness.Postgres)]
    public async Task Starting_twice_on_an_upgraded_database_changes_nothing(string database)
    {
        await using var h = await CoreHarness.StartAsync(database: database);
        await h.RunAsync(1);
        await h.Services.InitializeCord19Async();

        var factory = h.Services.GetRequiredService<IDbContextFactory<Cord19Db>>();
        await using var db = await factory.CreateDbContextAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.Single(await h.Store.ListDeploymentsAsync());
    }

    private static async Task<ServiceProvider> StartAsync(DataDirectory data, string? postgres)
    {
        var services = new ServiceCollection().AddLogging().AddCord19Core(new Cord19Options { DataDirectory = data.Root, Postgres = postgres }).BuildServiceProvider();
        await services.InitializeCord19Async();
        return services;
    }

    private static async Task AssertKeptAsync(IServiceProvider services)
    {
        var store = services.GetRequiredService<DeploymentStore>();
        var deployments = await store.ListDeploymentsAsync();
        Assert.Equal([DeploymentTarget.Local, DeploymentTarget.Aws], deployments.Select(d => d.Target)); // newest first

        var aws = Assert.Single(deployments, d => d.Id == AwsDeployment);
        Assert.Equal(DeploymentTarget.Aws, aws.Target);
        Assert.Equal("eu-west-1", aws.Region); // from its first phase-1 run, not the later run's us-east-2
        Assert.Null(deployments[0].Region);

        var snapshot = await store.GetSnapshotAsync(); // the local one is the newest
        Assert.All(snapshot.Phases.Take(3), p => Assert.Equal(PhaseStatus.Succeeded, p.Status));
        Assert.Equal(5, snapshot.Resources.Count);
        Assert.NotEmpty(await store.GetLogAsync(snapshot[1].LatestRun!.Id));
        Assert.Equal(6, (await services.GetRequiredService<SettingsStore>().GetStoredAsync()).Clusters);
    }
}
