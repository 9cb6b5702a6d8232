using Cord19.Core.Pipeline;

namespace Cord19.Pipeline;

/// <summary>
/// Steps reported to the control panel that started this program (<c>--progress json</c>), as <see cref="StepEvent"/>
/// lines on standard output. The panel holds this program's standard input open while it lives: when the input
/// closes, the panel has gone (stopped, killed or crashed), and so does this program, rather than run on unwatched.
/// </summary>
internal sealed class PanelSteps : IStepRecorder
{
    /// <summary>The exit code when the panel went away mid-run.</summary>
    public const int PanelGone = 4;

    private string _step = "";

    public PanelSteps()
    {
        var lifeline = new Thread(() =>
        {
            using var input = Console.OpenStandardInput();
            var buffer = new byte[64];
            while (input.Read(buffer) > 0) { }
            Environment.Exit(PanelGone);
        }) { IsBackground = true, Name = "panel lifeline" };
        lifeline.Start();
    }

    public async Task StepAsync(string step, Func<CancellationToken, Task> body, bool checkpointed = false)
    {
        _step = step;
        Write(new StepEvent(StepEventKind.Started, step));
        await body(CancellationToken.None);
        Write(new StepEvent(StepEventKind.Done, step));
    }

    public Task LogAsync(string message)
    {
        Write(new StepEvent(StepEventKind.Log, _step, message));
        return Task.CompletedTask;
    }

    // Console.Out is synchronised, so lines logged from parallel loops never interleave.
    private static void Write(StepEvent e) => Console.Out.WriteLine(e.ToLine());
}
