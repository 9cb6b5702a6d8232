using System.Buffers;
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
    private static readonly SearchValues<char> Unprintable = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(c => c is not ('\t' or '\n')).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c)]);

    public static string Clean(string text) =>
        text.AsSpan().ContainsAny(Unprintable) ? ControlCharacter().Replace(TerminalSequence().Replace(text, ""), "") : text;

    /// <summary>ECMA-48's control sequences (colours, cursor moves), operating system commands (a window title) and two-character escapes.</summary>
    [GeneratedRegex(@"\x1B(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1B]*(?:\x07|\x1B\\)?|[@-Z\\-_])")]
    private static partial Regex TerminalSequence();

    [GeneratedRegex(@"[\x00-\x08\x0B-\x1F\x7F-\x9F]")]
    private static partial Regex ControlCharacter();
}
