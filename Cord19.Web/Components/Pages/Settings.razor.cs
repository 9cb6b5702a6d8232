using Cord19.Core.Settings;
using Cord19.Web.Model;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.JSInterop;
using MudBlazor;

namespace Cord19.Web.Components.Pages;

public sealed partial class Settings : ComponentBase
{
    private SettingsForm? _model;
    /// <summary>The form as last loaded or saved: what a phase would use.</summary>
    private SettingsForm? _saved;
    private IReadOnlyList<SettingsProblem> _problems = [];
    /// <summary>The number fields' readers, and what they could not read.</summary>
    private readonly TypedNumbers _numbers;
    private bool _showFirstProblem;
    /// <summary>What the last reading of AWS's prices did, or why it could not.</summary>
    private (Severity Severity, string Text)? _pricesRead;
    private bool _readingPrices;

    [Inject] public required ISettingsClient Store { get; init; }
    [Inject] public required ISnackbar Snackbar { get; init; }
    [Inject] public required IJSRuntime JS { get; init; }
    [Inject] public required IDialogService Dialogs { get; init; }
    [Inject] public required ILogger<Settings> Logger { get; init; }

    public Settings() => _numbers = new(StateHasChanged);

    private bool Has(string field) => For(field) is not null;

    private string? For(string field) => _numbers.ProblemOf(field) ?? _problems.FirstOrDefault(p => p.Field == field)?.Message;

    /// <summary>
    /// What is typed differs from what is saved. A cap or a lifetime typed and never saved guards nothing, and a downloaded
    /// release only fills the field: leaving the page would drop them without a word.
    /// </summary>
    private bool Unsaved => _model is not null && (_model != _saved || _numbers.Problems.Count > 0);

    protected override async Task OnInitializedAsync()
    {
        _model = SettingsForm.From(await Store.GetAsync(CancellationToken.None));
        _saved = _model with { };
    }

    /// <summary>Another page of the panel, asked for with changes unsaved: leave them, or stay to save them.</summary>
    private async Task ConfirmLeavingAsync(LocationChangingContext leaving)
    {
        if (!Unsaved) return;
        var leave = await Dialogs.ShowMessageBoxAsync(new MessageBoxOptions
        {
            Title = "Leave without saving?",
            Message = "Your changes to the settings are not saved: phases, the budget guard and the estimates go on using the saved ones.",
            YesText = "Leave",
            CancelText = "Stay",
        });
        if (leave != true) leaving.PreventNavigation();
    }

    private async Task SaveAsync()
    {
        // A number the form could not read leaves its type's default in the model: saving that would save no cap for
        // "0,50" without a word.
        if (_numbers.Problems is { Count: > 0 } unread)
        {
            _problems = unread;
            Snackbar.Clear();
            _showFirstProblem = true;
            return;
        }
        // A save the state database cannot take (out of reach, say) is said, and the form keeps what was typed.
        var failure = await UserAction.RunAsync(async () => _problems = await Store.SaveAsync(_model!.ToSettings(), CancellationToken.None), Logger);
        // A "saved" from an earlier click must not stand beside "not saved".
        Snackbar.Clear();
        if (failure is not null) Snackbar.Add($"Not saved: {failure.Message}", Severity.Error);
        else if (_problems.Count == 0)
        {
            _saved = _model! with { };
            Snackbar.Add("Settings saved.", Severity.Success);
        }
        else _showFirstProblem = true;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!_showFirstProblem) return;
        _showFirstProblem = false;
        await JS.InvokeVoidAsync("cord19Ui.showFirstError");
    }

    /// <summary>The preset's pipeline parameters in the form, to review before saving; data, target and budget stay.</summary>
    private void ApplyPreset(string name) => _model = SettingsForm.From(Presets.Apply(_model!.ToSettings(), name));

    private void ResetPrices()
    {
        _model!.PriceBookJson = Core.Costs.PriceBook.ReadDefaultJson();
        _pricesRead = null;
    }

    private string RegionShown => string.IsNullOrWhiteSpace(_model!.AwsRegion) ? "the region" : _model.AwsRegion.Trim();

    /// <summary>
    /// The price book in the field, priced as AWS charges in the region typed above, put back in the field to review and
    /// save: nothing changes for the meters until Save.
    /// </summary>
    private async Task ReadPricesAsync()
    {
        var settings = _model!.ToSettings();
        if (Core.Settings.AwsNaming.RegionProblem(settings.AwsRegion) is { } problem)
        {
            _pricesRead = (Severity.Error, problem);
            return;
        }
        _readingPrices = true;
        Core.Targets.Aws.RegionPriceReading? reading = null;
        var failure = await UserAction.RunAsync(async () => reading = await Store.ReadPricesAsync(settings, CancellationToken.None), Logger);
        _readingPrices = false;
        if (failure is not null)
        {
            _pricesRead = (Severity.Error, $"The prices were not read: {failure.Message}");
            return;
        }
        _model.PriceBookJson = reading!.Json;
        _pricesRead = (reading.Partial ? Severity.Warning : Severity.Success, $"{reading.Summary} Save to use them.");
    }

    private Task ResetAsync()
    {
        _model = SettingsForm.From(new PipelineSettings());
        _problems = [];
        return Task.CompletedTask;
    }
}
