using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Local;

/// <summary>The files the local target creates under the data directory; phase 7 deletes them.</summary>
public sealed class LocalWorkspace(DataDirectory data)
{
    public string Root => data.Workspace;
    public string Orchestrator => Path.Combine(Root, "orchestrator.json");
    public string LakeDatabase => Path.Combine(Root, "lake.duckdb");
    public string PipelineDefinition => Path.Combine(Root, "pipeline.json");

    /// <summary>
    /// The run's settings as cord19-pipeline reads them. In the workspace, not the system's temporary folder, so that
    /// one left by a panel that was killed while the program ran goes with phase 7.
    /// </summary>
    public string RunSettings(Guid runId) => Path.Combine(Root, $"settings-{runId:N}.json");
}
