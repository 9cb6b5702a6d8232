using System.Globalization;
using Cord19.Core.Settings;
using MudBlazor;
using MudBlazor.Utilities.Exceptions;

namespace Cord19.Web.Model;

/// <summary>
/// Reads the numbers typed into the Settings form: digits, a sign and one point for decimals. MudBlazor's own reading
/// takes a comma anywhere for a thousands separator, so "0,50" typed for fifty cents saved a $50 cost cap and "1,5"
/// hours a 15-hour lifetime, the two guards against a forgotten deployment. A comma is refused instead, with the fix.
/// A refused field keeps its text on the page, and its problem here, until it is read or code gives it a value: MudBlazor
/// sets the bound value to the type's default then, so the page must not save the form as if that were what was typed.
/// </summary>
/// <param name="refusalsChanged">Called when a field's text is refused or read again, for the page to show it: MudBlazor
/// does not tell the page of a text it could not read.</param>
public sealed class TypedNumbers(Action refusalsChanged)
{
    private const NumberStyles Decimal = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;
    private readonly Dictionary<string, object> _converters = [];
    private readonly Dictionary<string, (string Text, string Problem)> _refused = [];

    /// <summary>Each field whose text could not be read, with the cause and the fix.</summary>
    public IReadOnlyList<SettingsProblem> Problems => [.. _refused.Select(r => new SettingsProblem(r.Key, r.Value.Problem))];

    public string? ProblemOf(string field) => _refused.TryGetValue(field, out var refused) ? refused.Problem : null;

    /// <summary>The converter of one field (the same one every render, so MudBlazor keeps its state).</summary>
    public IReversibleConverter<T, string?> For<T>(string field)
    {
        if (!_converters.TryGetValue(field, out var converter)) _converters[field] = converter = new Field<T>(this, field);
        return (IReversibleConverter<T, string?>)converter;
    }

    private void Record(string field, (string Text, string Problem)? refused)
    {
        if (_refused.TryGetValue(field, out var before) ? before == refused : refused is null) return;
        if (refused is { } r) _refused[field] = r;
        else _refused.Remove(field);
        refusalsChanged();
    }

    private sealed class Field<T>(TypedNumbers owner, string name) : IReversibleConverter<T, string?>
    {
        private static readonly Type Number = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        private static readonly bool Optional = Nullable.GetUnderlyingType(typeof(T)) is not null;

        public string? Convert(T input)
        {
            if (owner._refused.TryGetValue(name, out var refused))
            {
                // MudBlazor leaves its type's default in a field it could not read: the text stays as typed. Another value
                // is one code put there (a preset, the defaults), which ends the refusal.
                if (EqualityComparer<T>.Default.Equals(input, default)) return refused.Text;
                owner.Record(name, null);
            }
            return input is IFormattable number ? number.ToString(null, CultureInfo.InvariantCulture) : null;
        }

        public T ConvertBack(string? input)
        {
            var text = input?.Trim() ?? "";
            var value = text.Length == 0 ? (Optional ? null : System.Convert.ChangeType(0, Number, CultureInfo.InvariantCulture)) : Parse(text);
            var problem = text.Length > 0 && value is null ? Problem(text) : null;
            owner.Record(name, problem is null ? null : (input!, problem));
            return problem is null ? (T)value! : throw new ConversionException(problem, [], null!);
        }

        private static object? Parse(string text)
        {
            if (Number == typeof(int)) return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) ? whole : null;
            if (Number == typeof(decimal)) return decimal.TryParse(text, Decimal, CultureInfo.InvariantCulture, out var money) ? money : null;
            if (Number == typeof(double)) return double.TryParse(text, Decimal, CultureInfo.InvariantCulture, out var real) ? real : null;
            throw new NotSupportedException($"The Settings form reads int, decimal and double fields, not {Number.Name}.");
        }

        private static string Problem(string text) =>
            Number == typeof(int)
                ? $"'{text}' is not a whole number as the panel reads it: write the digits alone, without separators or decimals (1500, not 1,500)."
                : text.Count(c => c == ',') == 1 && !text.Contains('.')
                    ? $"'{text}' has a comma: the panel reads decimals after a point, so write {text.Replace(',', '.')}."
                    : $"'{text}' is not a number as the panel reads it: write digits with one point for decimals and no separators, e.g. 0.50 or 1500.";
    }
}
