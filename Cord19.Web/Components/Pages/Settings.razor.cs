using Cord19.Core.Settings;
using Cord19.Web.Model;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Cord19.Web.Components.Pages;

public sealed partial class Settings : ComponentBase
{
    private SettingsForm? _model;
    private IReadOnlyList<string> _errors = [];

    [Inject] public required ISettingsClient Store { get; init; }
    [Inject] public required ISnackbar Snackbar { get; init; }

    protected override async Task OnInitializedAsync() => _model = SettingsForm.From(await Store.GetAsync(CancellationToken.None));

    private async Task SaveAsync()
    {
        _errors = await Store.SaveAsync(_model!.ToSettings(), CancellationToken.None);
        if (_errors.Count == 0) Snackbar.Add("Settings saved.", Severity.Success);
    }

    /// <summary>The preset's pipeline parameters in the form, to review before saving; data, target and budget stay.</summary>
    private void ApplyPreset(string name) => _model = SettingsForm.From(Presets.Apply(_model!.ToSettings(), name));

    private void ResetPrices() => _model!.PriceBookJson = Core.Costs.PriceBook.ReadDefaultJson();

    private Task ResetAsync()
    {
        _model = SettingsForm.From(new PipelineSettings());
        _errors = [];
        return Task.CompletedTask;
    }
}
