using System.Diagnostics;
using System.Text.RegularExpressions;
using Cord19.Core.Airflow;
using Cord19.Core.Pipeline;
using Cord19.Tests.Support;

namespace Cord19.Tests.Airflow;

/// <summary>The DAG files in airflow/dags are generated from the pipeline definition and are valid Python.</summary>
public sealed partial class DagFileTests
{
    private static string DagFolder => Path.Combine(RunningApp.RepositoryRoot(), "airflow", "dags");

    [Fact]
    public async Task The_committed_dag_files_are_what_the_pipeline_definition_generates()
    {
        var generated = DagFiles.Generate();
        if (Environment.GetEnvironmentVariable("CORD19_WRITE_DAGS") == "1")
            foreach (var (name, text) in generated) await File.WriteAllTextAsync(Path.Combine(DagFolder, name), text);

        foreach (var (name, text) in generated)
        {
            var path = Path.Combine(DagFolder, name);
            Assert.True(File.Exists(path), $"{path} is missing: run the tests with CORD19_WRITE_DAGS=1 to write it.");
            Assert.True(text == await File.ReadAllTextAsync(path), $"{name} differs from what PipelineDefinition generates: run the tests with CORD19_WRITE_DAGS=1.");
        }
        Assert.Equal(generated.Keys.Order(), Directory.GetFiles(DagFolder, "*.py").Select(Path.GetFileName).Order());
    }

    [Fact]
    public void The_dags_run_every_step_of_the_local_target_in_order()
    {
        Assert.Equal(PipelineDefinition.Steps, PipelineDefinition.Tasks.SelectMany(t => t.Steps));
        var text = DagFiles.Generate()[DagFiles.FileName];
        Assert.Equal(PipelineDefinition.Tasks.Select(t => t.Dag).Distinct(), DagId().Matches(text).Select(m => m.Groups[1].Value));
        Assert.Equal(PipelineDefinition.Tasks.Select(t => t.Id), TaskId().Matches(text).Select(m => m.Groups[1].Value));
        foreach (var step in PipelineDefinition.Steps)
            Assert.Contains($"{step.Id}: {step.Title}", text);
    }

    [Fact]
    public async Task The_dag_files_compile_with_python()
    {
        foreach (var file in Directory.GetFiles(DagFolder, "*.py"))
        {
            // Compiled in memory: no .pyc is left beside the DAGs.
            using var process = Process.Start(new ProcessStartInfo("python3", ["-c", "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')", file]) { RedirectStandardError = true })!;
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{file}: {error}");
        }
    }

    [GeneratedRegex("task_id=\"([^\"]+)\"")]
    private static partial Regex TaskId();

    [GeneratedRegex("dag_id=\"([^\"]+)\"")]
    private static partial Regex DagId();
}
