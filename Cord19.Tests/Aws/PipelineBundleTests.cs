using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Cord19.Core.Execution;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;

namespace Cord19.Tests.Aws;

/// <summary>What phase 3 ships to the instance: the pipeline program, published for linux-x64 and packed.</summary>
public sealed class PipelineBundleTests : IDisposable
{
    private readonly TempDirectory _data = new();

    [Fact]
    public async Task The_program_is_published_once_from_the_source_tree_packed_and_runs_on_its_own()
    {
        var data = new DataDirectory(_data.Path);
        var said = new List<string>();

        var folder = await PipelineBundle.EnsureAsync(null, data, m => { said.Add(m); return Task.CompletedTask; }, default);
        var again = await PipelineBundle.EnsureAsync(null, data, m => { said.Add(m); return Task.CompletedTask; }, default);
        await using var packed = await PipelineBundle.PackAsync(folder, default);

        Assert.Equal(PipelineBundle.DefaultFolder(data), folder);
        Assert.Equal(folder, again);
        Assert.Single(said); // published once
        // Self-contained: runs without `dotnet`, as on a bare Ubuntu instance.
        using var run = Process.Start(new ProcessStartInfo(Path.Combine(folder, PipelineBundle.Program), ["--help"]) { RedirectStandardOutput = true })!;
        var usage = await run.StandardOutput.ReadToEndAsync();
        await run.WaitForExitAsync();
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage: cord19-pipeline", usage);
        // The archive the instance unpacks with tar: the program at its root, executable.
        await using var gzip = new GZipStream(packed, CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        TarEntry? program = null;
        while (await tar.GetNextEntryAsync() is { } entry)
            if (entry.Name.TrimStart('.', '/') == PipelineBundle.Program) program = entry;
        Assert.NotNull(program);
        Assert.True(program.Mode.HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public async Task A_configured_folder_without_the_program_names_the_publish_command()
    {
        var error = await Assert.ThrowsAsync<PhaseFailedException>(() =>
            PipelineBundle.EnsureAsync(_data.File("nowhere"), new DataDirectory(_data.Path), _ => Task.CompletedTask, default));

        Assert.Contains("dotnet publish Cord19.Pipeline/Cord19.Pipeline.csproj -c Release -r linux-x64 --self-contained", error.Message);
    }

    public void Dispose() => _data.Dispose();
}
