namespace Cord19.Core.Settings;

/// <summary>One reason settings cannot be used: the property it is about (so a form can mark that field) and the cause and fix.</summary>
public sealed record SettingsProblem(string Field, string Message);

/// <summary>Collects <see cref="SettingsProblem"/>s while settings are checked.</summary>
internal sealed class SettingsProblems
{
    private readonly List<SettingsProblem> _all = [];

    public IReadOnlyList<SettingsProblem> All => _all;

    public void Add(string field, string message) => _all.Add(new SettingsProblem(field, message));

    public void Range(string field, string name, int value, int min, int max)
    {
        if (value < min || value > max)
            Add(field, $"{name} is {value}: use a whole number from {min:N0} to {max:N0}.");
    }
}
