using Cord19.Core.Targets.Aws;
using Cord19.Web.Model;

namespace Cord19.Tests.Model;

/// <summary>The AWS checklist's one sentence: red to fix, amber said apart, never taken for green.</summary>
public sealed class ChecklistSummaryTests
{
    private static CheckItem[] Checks(params CheckOutcome[] outcomes) => [.. outcomes.Select((o, i) => new CheckItem($"check {i}", o, "detail"))];

    [Theory]
    [InlineData(new[] { CheckOutcome.Passed, CheckOutcome.Passed }, "Every check passed: phase 1 can start.", true)]
    [InlineData(new[] { CheckOutcome.Passed, CheckOutcome.Warning }, "No check failed: phase 1 can start. 1 could not tell or want a look (amber); each says why.", true)]
    [InlineData(new[] { CheckOutcome.Failed, CheckOutcome.Passed }, "1 check failed; each says how to fix it.", false)]
    [InlineData(new[] { CheckOutcome.Failed, CheckOutcome.Failed, CheckOutcome.Warning, CheckOutcome.Warning },
        "2 checks failed, and 2 could not tell or want a look (amber); each says how to fix it.", false)]
    public void Says_what_failed_and_what_is_amber_apart(CheckOutcome[] outcomes, string sentence, bool nothingFailed) =>
        Assert.Equal((sentence, nothingFailed), ChecklistSummary.Of(Checks(outcomes)));
}
