using System.Formats.Tar;
using System.IO.Compression;

namespace Cord19.Core.Targets.Aws;

/// <summary>The published pipeline program, packed as a .tar.gz (tar is on every Ubuntu image, unzip is not).</summary>
public static class PipelineBundle
{
    public const string Program = "cord19-pipeline";

    public static string Locate(string? configured, Settings.DataDirectory data)
    {
        var folder = configured ?? Environment.GetEnvironmentVariable(AwsTargetOptions.BundleVariable) ?? Path.Combine(data.Root, "pipeline-linux-x64");
        if (!File.Exists(Path.Combine(folder, Program)))
            throw new Execution.PhaseFailedException(
                $"The pipeline program for the instance is not at {folder}. Publish it once with " +
                $"`dotnet publish Cord19.Pipeline -c Release -r linux-x64 --self-contained -o {folder}` " +
                $"(or set {AwsTargetOptions.BundleVariable} to such a folder), then run phase 3 again.");
        return folder;
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
