using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The published pipeline program for the instance (linux-x64, self-contained: the instance needs no .NET), packed
/// as a .tar.gz (tar is on every Ubuntu image, unzip is not). Published once on this machine when the panel runs
/// from its source tree; the container image carries it ready-made.
/// </summary>
public static class PipelineBundle
{
    public const string Program = "cord19-pipeline";
    private const string Project = "Cord19.Pipeline/Cord19.Pipeline.csproj";

    public static string DefaultFolder(Settings.DataDirectory data) => Path.Combine(data.Root, "pipeline-linux-x64");

    /// <summary>
    /// The bundle folder: the configured one (<see cref="AwsTargetOptions.PipelineBundle"/>, from CORD19_PIPELINE_BUNDLE),
    /// or the data directory's, published there first if the source tree is at hand.
    /// </summary>
    public static async Task<string> EnsureAsync(string? configured, Settings.DataDirectory data, Func<string, Task> log, CancellationToken ct)
    {
        var folder = configured ?? DefaultFolder(data);
        if (File.Exists(Path.Combine(folder, Program))) return folder;
        var project = FindProject();
        var command = $"dotnet publish {Project} -c Release -r linux-x64 --self-contained -o {folder}";
        if (configured is not null || project is null)
            throw new Execution.PhaseFailedException(
                $"The pipeline program for the instance is not at {folder}. Publish it once with `{command}` from the source tree " +
                $"(or set {AwsTargetOptions.BundleVariable} to such a folder), then run phase 3 again.");

        await log($"Publishing cord19-pipeline for linux-x64 into {folder} (once; about a minute).");
        var publish = new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "-o", folder, "--nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(publish)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0 || !File.Exists(Path.Combine(folder, Program)))
        {
            var text = (await output + await errors).Trim();
            throw new Execution.PhaseFailedException(
                $"Publishing the pipeline program failed (exit {process.ExitCode}): {(text.Length > 600 ? "…" + text[^600..] : text)}. Run `{command}` yourself to see why, then phase 3 again.");
        }
        return folder;
    }

    /// <summary>The pipeline project when the panel runs from its source tree (dotnet run), else null.</summary>
    private static string? FindProject()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, Project))) return Path.Combine(dir.FullName, Project);
        return null;
    }

    public static async Task<MemoryStream> PackAsync(string folder, CancellationToken ct)
    {
        var packed = new MemoryStream();
        await using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            await TarFile.CreateFromDirectoryAsync(folder, gzip, includeBaseDirectory: false, ct);
        packed.Position = 0;
        return packed;
    }
}
