using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Cord19.Core.Deployments;

/// <summary>
/// The control panel's own state: deployments, phase runs, step logs, resources, settings and the instances sharing it. One model; each
/// database engine has its own subclass only so that each keeps its own migrations (see Schema/).
/// </summary>
public abstract class Cord19Db(DbContextOptions options) : DbContext(options)
{
    public DbSet<Deployment> Deployments => Set<Deployment>();
    public DbSet<PhaseRun> PhaseRuns => Set<PhaseRun>();
    public DbSet<StepLogEntry> StepLog => Set<StepLogEntry>();
    public DbSet<DeployedResource> Resources => Set<DeployedResource>();
    public DbSet<StoredSetting> Settings => Set<StoredSetting>();
    public DbSet<PanelInstance> Instances => Set<PanelInstance>();

    private static DeploymentTarget TargetNamed(string name) =>
        DeploymentTargets.TryParse(name, out var target) ? target : throw new InvalidDataException($"Unknown deployment target '{name}' in the state database.");

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        // SQLite keeps no time zone: store UTC and read it back as UTC, so the API's times end in "Z".
        configuration.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Deployment>(e =>
        {
            e.Property(d => d.Target).HasConversion(t => t.Name(), name => TargetNamed(name)).HasMaxLength(16);
            e.Property(d => d.Region).HasMaxLength(32);
            e.HasMany(d => d.Runs).WithOne().HasForeignKey(r => r.DeploymentId);
            e.HasMany(d => d.Resources).WithOne().HasForeignKey(r => r.DeploymentId);
            e.HasIndex(d => d.CreatedAt);
        });

        model.Entity<PhaseRun>(e =>
        {
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
            e.HasMany(r => r.Log).WithOne().HasForeignKey(l => l.PhaseRunId);
            e.HasIndex(r => new { r.DeploymentId, r.PhaseNumber, r.RequestedAt });
            // The database itself refuses a second running phase in a deployment, so two clicks at the
            // same moment (from two browsers or two app instances) start exactly one job.
            e.HasIndex(r => r.DeploymentId).IsUnique().HasFilter("\"Status\" = 'Running'")
                .HasDatabaseName("IX_PhaseRuns_OneRunningPerDeployment");
        });

        model.Entity<StepLogEntry>(e =>
        {
            e.Property(l => l.Level).HasConversion<string>().HasMaxLength(8);
            e.Property(l => l.Step).HasMaxLength(64);
            e.HasIndex(l => new { l.PhaseRunId, l.Id });
        });

        model.Entity<DeployedResource>(e =>
        {
            e.Property(r => r.Kind).HasMaxLength(64);
            // One live entry per resource. Its earlier lives (a cluster's running periods before a resume, a cluster made
            // again) stay as ended entries: what they cost was spent, and the meters go on pricing it.
            e.HasIndex(r => new { r.DeploymentId, r.Kind, r.Locator }).IsUnique().HasFilter("\"DeletedAt\" IS NULL");
        });

        model.Entity<StoredSetting>(e => e.HasKey(s => s.Key));
        model.Entity<PanelInstance>(e => e.HasKey(i => i.Name));
    }
}

/// <summary>A named JSON document of settings.</summary>
public sealed class StoredSetting
{
    public required string Key { get; set; }
    public required string Json { get; set; }
}

internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
