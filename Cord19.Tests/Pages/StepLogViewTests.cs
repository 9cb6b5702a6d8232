using Bunit;
using Cord19.Core.Deployments;
using Cord19.Web.Components.Controls;

namespace Cord19.Tests.Pages;

/// <summary>The step log's lines: a warning or an error says so in words, not only in its colour.</summary>
public sealed class StepLogViewTests : BunitContext
{
    [Fact]
    public void Warnings_and_errors_say_their_level_in_words_and_information_does_not()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var at = new DateTime(2026, 12, 3, 19, 30, 0, DateTimeKind.Utc);
        var run = Guid.NewGuid();
        var log = Render<StepLogView>(p => p.Add(c => c.Lines, [
            new LogLine(1, run, 2, at, LogLevel.Info, "cluster", "Cluster available."),
            new LogLine(2, run, 2, at, LogLevel.Warning, "pause-schedule", "Redshift's scheduler was not given a pause."),
            new LogLine(3, run, 2, at, LogLevel.Error, "export", "The UNLOAD failed."),
        ]));

        var lines = log.FindAll("[data-testid=step-log] > div");
        Assert.Equal(["Info", "Warning", "Error"], lines.Select(l => l.ClassName));
        Assert.DoesNotContain("warning:", lines[0].TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("[pause-schedule] warning: Redshift's scheduler", lines[1].TextContent);
        Assert.Contains("[export] error: The UNLOAD failed.", lines[2].TextContent);
    }

    [Fact]
    public void A_command_in_a_line_is_shown_as_code_without_its_backticks_and_its_ids_are_kept_whole()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var log = Render<StepLogView>(p => p.Add(c => c.Lines, [
            new LogLine(1, Guid.NewGuid(), 1, new DateTime(2026, 12, 6, 11, 0, 0, DateTimeKind.Utc), LogLevel.Error, "instance",
                "The instance i-0123456789abcdef0 was refused: run `aws ec2 describe-instances --instance-ids i-0123456789abcdef0` to see why."),
        ]));

        var line = log.Find("[data-testid=step-log] > div");
        Assert.DoesNotContain("`", line.TextContent);
        Assert.Equal("aws ec2 describe-instances --instance-ids i-0123456789abcdef0", line.QuerySelector("code")!.TextContent);
        Assert.Equal(["i-0123456789abcdef0", "i-0123456789abcdef0"], line.QuerySelectorAll("span.unbroken").Select(s => s.TextContent));
    }
}
