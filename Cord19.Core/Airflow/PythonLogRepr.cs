using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Cord19.Core.Airflow;

/// <summary>
/// Airflow 2's log endpoint answers with <c>str()</c> of a Python list of (host, text) tuples, one per host the log
/// came from: <c>[('worker-1', "it's running\n")]</c>. Python quotes a string with <c>"</c> when it holds a <c>'</c>
/// and no <c>"</c>, and escapes backslashes, its quote, <c>\n \r \t</c> and unprintable characters (<c>\xhh</c>,
/// <c>\uhhhh</c>, <c>\Uhhhhhhhh</c>), so the text is read back escape by escape, in one pass: replacing escapes one
/// kind after another turns a logged <c>C:\new</c> into a line break.
/// </summary>
internal static class PythonLogRepr
{
    /// <summary>The tuples' texts, one after another; false when <paramref name="repr"/> is not such a list.</summary>
    public static bool TryRead(string repr, [NotNullWhen(true)] out string? log)
    {
        log = null;
        var at = 0;
        var texts = new List<string>();
        if (!Take(repr, ref at, '[')) return false;
        if (!Take(repr, ref at, ']'))
        {
            do
            {
                if (!Take(repr, ref at, '(') || ReadString(repr, ref at) is null || !Take(repr, ref at, ',')
                    || ReadString(repr, ref at) is not { } text || !Take(repr, ref at, ')'))
                    return false;
                texts.Add(text);
            }
            while (Take(repr, ref at, ','));
            if (!Take(repr, ref at, ']')) return false;
        }
        if (repr.AsSpan(at).Trim().Length > 0) return false;
        log = string.Join("\n", texts);
        return true;
    }

    private static bool Take(string s, ref int at, char c)
    {
        SkipSpace(s, ref at);
        if (at >= s.Length || s[at] != c) return false;
        at++;
        return true;
    }

    private static void SkipSpace(string s, ref int at)
    {
        while (at < s.Length && char.IsWhiteSpace(s[at])) at++;
    }

    private static string? ReadString(string s, ref int at)
    {
        SkipSpace(s, ref at);
        if (at >= s.Length || s[at] is not ('\'' or '"')) return null;
        var quote = s[at++];
        var text = new StringBuilder();
        while (at < s.Length)
        {
            var c = s[at++];
            if (c == quote) return text.ToString();
            if (c != '\\') { text.Append(c); continue; }
            if (at >= s.Length) return null;
            var escape = s[at++];
            switch (escape)
            {
                case '\\' or '\'' or '"': text.Append(escape); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'x' or 'u' or 'U':
                    var digits = escape == 'x' ? 2 : escape == 'u' ? 4 : 8;
                    if (at + digits > s.Length
                        || !int.TryParse(s.AsSpan(at, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                        || !Rune.IsValid(code) && code is not (>= 0xD800 and <= 0xDFFF))
                        return null;
                    // A lone surrogate (Python can hold one) is kept as the UTF-16 unit it is.
                    text.Append(code <= 0xFFFF ? ((char)code).ToString() : char.ConvertFromUtf32(code));
                    at += digits;
                    break;
                // Python keeps an unknown escape as it is written.
                default: text.Append('\\').Append(escape); break;
            }
        }
        return null;
    }
}
