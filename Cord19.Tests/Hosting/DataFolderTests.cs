using Cord19.Core.Settings;
using Cord19.Tests.Support;

namespace Cord19.Tests.Hosting;

/// <summary>
/// A data folder the panel cannot write stops the start with one line naming the folder and the fix. The usual cause is
/// a docker-compose volume made by an image that ran as root, now mounted into one that runs as its own user; these
/// tests run as root here, so they make the folder unwritable by putting a file where a folder must be.
/// </summary>
public sealed class DataFolderTests
{
    [Fact]
    public void A_writable_folder_passes_and_keeps_no_trace_of_the_check()
    {
        using var data = new TempDirectory();
        File.WriteAllText(data.File("cord19.db"), "");
        Directory.CreateDirectory(data.File("keys"));

        Assert.Null(new DataDirectory(data.Path).WhyNotWritable());
        Assert.Equal(["cord19.db", "keys", "results"], Directory.EnumerateFileSystemEntries(data.Path, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(data.Path, p)).Order());
    }

    [Fact]
    public void A_folder_that_cannot_be_made_is_named_with_the_fix()
    {
        using var data = new TempDirectory();
        File.WriteAllText(data.File("results"), "a file where the results folder must be");

        var why = new DataDirectory(data.Path).WhyNotWritable();

        Assert.NotNull(why);
        Assert.StartsWith($"{DataDirectory.EnvironmentVariable}: the panel, running as the user {Environment.UserName}, cannot write '{data.Path}'", why);
        Assert.Contains($"or set {DataDirectory.EnvironmentVariable} to a folder it may write.", why);
    }

    [Fact]
    public async Task The_panel_refuses_to_start_with_that_line_and_no_stack_trace()
    {
        using var data = new TempDirectory();
        File.WriteAllText(data.File("not-a-folder"), "");
        var folder = Path.Combine(data.File("not-a-folder"), "data");

        var (exitCode, output, errors) = await RunningApp.RunToExitAsync(
            new Dictionary<string, string> { [DataDirectory.EnvironmentVariable] = folder }, "--urls", $"http://127.0.0.1:{LoopbackPort.Free()}");

        Assert.Equal(1, exitCode);
        Assert.Contains($"Refusing to start: {DataDirectory.EnvironmentVariable}: the panel, running as the user {Environment.UserName}, cannot write '{folder}'", errors);
        Assert.DoesNotContain("   at ", errors + output);
    }
}
