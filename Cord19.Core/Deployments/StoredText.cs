using System.Text.RegularExpressions;

namespace Cord19.Core.Deployments;

/// <summary>
/// Text from elsewhere as the state keeps it: the log's lines and a run's reason quote an instance's boot console, a
/// remote command's output or a child program's lines. PostgreSQL refuses a NUL in text, which would fail the write
/// every time; terminal colour codes and other control characters would show as boxes on the page. Line breaks and
/// tabs stay.
/// </summary>
internal static partial class StoredText
{
    // Text without either comes back as it is, not copied (Regex.Replace returns its input when nothing matches).
    public static string Clean(string text) => ControlCharacter().Replace(TerminalSequence().Replace(text, ""), "");

    /// <summary>ECMA-48's control sequences (colours, cursor moves), operating system commands (a window title) and two-character escapes.</summary>
    [GeneratedRegex(@"\x1B(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1B]*(?:\x07|\x1B\\)?|[@-Z\\-_])")]
    private static partial Regex TerminalSequence();

    /// <summary>C0 and C1 controls and DEL, but for tab and line feed.</summary>
    [GeneratedRegex(@"[\x00-\x08\x0B-\x1F\x7F-\x9F]")]
    private static partial Regex ControlCharacter();
}
