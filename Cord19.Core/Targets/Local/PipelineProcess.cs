using System.Diagnostics;
using Cord19.Core.Execution;
using Cord19.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace Cord19.Core.Targets.Local;

/// <summary>
/// Runs cord19-pipeline, the program Airflow's tasks run, as a child process for the local target's heavy phases.
/// In its own process the pipeline has its own collector and compiler settings (a batch program's: on the synthetic
/// million the panel's phase 4 took 105 s in the panel's process and 62-67 s this way), the panel's heap stays small so
/// it answers while the pipeline keeps both cores busy, the memory goes back when the child exits, and a failure in
/// native code (DuckDB's, phase 2) cannot take the panel down.
/// The child never outlives the phase: it is killed when the run is cancelled or the panel stops, and it stops by
/// itself when its standard input, which the panel holds open, closes (the panel killed or crashed).
/// </summary>
public sealed class PipelineProcess(ILogger<PipelineProcess> logger)
{
    private const string ProgramName = Aws.PipelineBundle.Program;

    /// <summary>Exit code 3: bad input, and standard error's "error: …" line names the cause and the fix.</summary>
    private const int BadInput = 3;

    /// <summary>
    /// Runs the program with <paramref name="arguments"/> (plus <c>--progress json</c>), its steps and log lines
    /// recorded in <paramref name="context"/>'s step log as they happen.
    /// </summary>
    public async Task RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environment, PhaseContext context)
    {
        var start = StartInfo();
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.ArgumentList.Add("--progress");
        start.ArgumentList.Add("json");
        foreach (var (name, value) in environment)
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{ProgramName} did not start.");
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await using (context.Cancellation.Register(() => Stop(process)))
        {
            try
            {
                await RecordStepsAsync(process.StandardOutput, context);
                await process.WaitForExitAsync(CancellationToken.None);
            }
            finally
            {
                Stop(process);
            }
        }
        context.Cancellation.ThrowIfCancellationRequested();
        if (process.ExitCode == 0) return;

        var error = (await errors).Trim();
        if (process.ExitCode == BadInput && error.StartsWith("error: ", StringComparison.Ordinal))
            throw new PhaseFailedException(error["error: ".Length..].Split('\n')[0].Trim());
        logger.LogError("{Program} {Arguments} exited with code {ExitCode}: {Errors}", ProgramName, string.Join(' ', start.ArgumentList), process.ExitCode, error);
        // The first line only: standard error may hold a stack trace, which belongs in the server log, not on the page.
        var first = error.Split('\n', 2)[0].Trim();
        throw new InvalidOperationException(
            $"The pipeline program stopped with exit code {process.ExitCode}" +
            (process.ExitCode == 137 ? " (killed: most often because the machine ran out of memory)" : "") +
            (first.Length > 0 ? $": {(first.Length > 300 ? first[..300] + "…" : first)}" : ""));
    }

    /// <summary>
    /// Each <see cref="StepEventKind.Started"/> opens the same step in the phase's log, which takes the child's log
    /// lines until its <see cref="StepEventKind.Done"/>; so the log reads as if the phase had run the step itself.
    /// </summary>
    private static async Task RecordStepsAsync(StreamReader output, PhaseContext context)
    {
        while (await output.ReadLineAsync(context.Cancellation) is { } line)
        {
            var parsed = StepEvent.Parse(line);
            if (parsed is not { Event: StepEventKind.Started } started)
            {
                await LogAsync(line, parsed, context);
                continue;
            }
            await context.StepAsync(started.Step, async ct =>
            {
                while (await output.ReadLineAsync(ct) is { } inner)
                {
                    var innerParsed = StepEvent.Parse(inner);
                    if (innerParsed is { Event: StepEventKind.Done }) return;
                    await LogAsync(inner, innerParsed, context);
                }
            });
        }
    }

    /// <summary>A log event's message, or a line that is not an event (the runtime's own output) as it is.</summary>
    private static Task LogAsync(string line, StepEvent? parsed, PhaseContext context) => parsed switch
    {
        { Event: StepEventKind.Log, Message: { } message } => context.LogAsync(message),
        null when line.Length > 0 => context.LogAsync(line),
        _ => Task.CompletedTask,
    };

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    /// <summary>The program beside the panel's own files (Cord19.Web references the pipeline project, so builds put it there).</summary>
    private static ProcessStartInfo StartInfo()
    {
        var folder = AppContext.BaseDirectory;
        var apphost = Path.Combine(folder, OperatingSystem.IsWindows() ? ProgramName + ".exe" : ProgramName);
        var assembly = Path.Combine(folder, ProgramName + ".dll");
        var start = File.Exists(apphost) ? new ProcessStartInfo(apphost)
            : File.Exists(assembly) ? new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [assembly])
            : throw new PhaseFailedException(
                $"The pipeline program ({ProgramName}) is not beside the control panel in {folder}. " +
                "Build the whole solution (dotnet build Cord19.sln) or publish Cord19.Web again, then run the phase again.");
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        return start;
    }
}
