using Cord19.Core.Costs;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;

namespace Cord19.Web.Api;

public static class CostEndpoints
{
    public sealed record ResourceCostDto(string Name, string Kind, decimal? Accrued, decimal? BurnRatePerHour, decimal? Projected, string? Unknown);

    /// <summary>USD; null amounts are unknown (a price is missing), never guessed.</summary>
    public sealed record CostsDto(
        Guid? DeploymentId, DateTime At, bool AwsEquivalent, decimal? Accrued, decimal? BurnRatePerHour, decimal? Projected,
        IReadOnlyList<ResourceCostDto> Resources, BudgetStatus Budget, IReadOnlyList<string> Warnings);

    public static IEndpointRouteBuilder MapCostApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/costs").WithTags("Costs");

        api.MapGet("/", (CostMeterService meter) => ToDto(meter.Latest));

        api.MapGet("/history", (CostHistoryReader history, CancellationToken ct) => history.ReadAsync(ct));

        // An unreadable price book (PriceBookException) is answered 422 by FailureProblems.
        api.MapGet("/estimate", async (SettingsStore settings, InstanceProcessingForecasts instance, CancellationToken ct) =>
        {
            var s = await settings.GetAsync(ct);
            return CostEstimate.ForPhases(await instance.WithMeasuredHoursAsync(s, ct), s.Prices());
        });
        // What AWS billed the deployment, by its tag (Cost Explorer charges $0.01 a request: a POST, never fetched by a look).
        api.MapPost("/deployments/{id:guid}/aws-bill", (Guid id, DeploymentBills bills, CancellationToken ct) => bills.AskAsync(id, ct));
        return app;
    }

    private static CostsDto ToDto(CostSnapshot s) => new(
        s.DeploymentId, s.At, s.IsAwsEquivalent, Round(s.Accrued), Round(s.BurnRatePerHour), Round(s.Projected),
        s.Resources.Select(r => new ResourceCostDto(r.Name, r.Kind.ToString(), Round(r.Accrued), Round(r.BurnRatePerHour), Round(r.Projected), r.Unknown)).ToList(),
        s.Budget, s.Warnings);

    private static decimal? Round(decimal? usd) => usd is { } v ? Math.Round(v, 6) : null;
}
