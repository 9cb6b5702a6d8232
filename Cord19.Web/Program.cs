using Cord19.Core;
using Cord19.Core.Settings;
using Cord19.Web.Api;
using Cord19.Web.Components;
using Cord19.Web.Hosting;
using Cord19.Web.Jobs;
using Cord19.Web.ServiceClient;
using Hangfire;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);
builder.UseLoopbackByDefault();
// CORD19_DATA_DIR from the environment, the command line (--CORD19_DATA_DIR=...) or a test host's settings.
var data = DataDirectory.From(builder.Configuration[DataDirectory.EnvironmentVariable]);

builder.Services.AddCord19Core(data);
builder.Services.AddCord19Jobs(data);
builder.Services.AddSingleton<IDeploymentClient, DeploymentClient>();
builder.Services.AddSingleton<RunCache>();
builder.Services.AddHostedService<CostMeterLoop>();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices(mud => mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
builder.Services.AddProblemDetails();

var app = builder.Build();

// Before the job server picks anything up: a run left "running" by a killed process is marked interrupted.
await app.Services.InitializeCord19Async();

if (!app.Environment.IsDevelopment())
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAntiforgery();

app.MapStaticAssets();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
// Hangfire's default filter admits local requests only, which matches the loopback-only listener.
app.MapHangfireDashboard("/hangfire", new DashboardOptions { DashboardTitle = "CORD-19 background jobs", AppPath = "/" });
app.MapPhaseApi();
app.MapResultApi();
app.MapSettingsApi();
app.MapCostApi();

app.PrintAddressesWhenStarted(data.Root);
app.Run();

/// <summary>Visible to the test host (WebApplicationFactory).</summary>
public partial class Program;
