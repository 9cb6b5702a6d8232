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
        foreach (var (name, text) in DagFiles.Generate())
        {
            var dag = Path.GetFileNameWithoutExtension(name);
            Assert.Equal(PipelineDefinition.Tasks.Where(t => t.Dag == dag).Select(t => t.Id), TaskId().Matches(text).Select(m => m.Groups[1].Value));
            foreach (var step in PipelineDefinition.Tasks.Where(t => t.Dag == dag).SelectMany(t => t.Steps))
                Assert.Contains($"{step.Id}: {step.Title}", text);
        }
    }

    [Fact]
    public async Task The_dag_files_compile_with_python()
    {
        foreach (var file in Directory.GetFiles(DagFolder, "*.py"))
        {
            using var process = Process.Start(new ProcessStartInfo("python3", ["-m", "py_compile", file]) { RedirectStandardError = true })!;
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{file}: {error}");
        }
    }

    [GeneratedRegex("task_id=\"([^\"]+)\"")]
    private static partial Regex TaskId();
}
