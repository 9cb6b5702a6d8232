using Cord19.Core;
using Cord19.Core.Deployments;
using Cord19.Core.Results;
using Cord19.Core.Settings;
using Cord19.Web.Airflow;
using Cord19.Web.Api;
using Cord19.Web.Components;
using Cord19.Web.Hosting;
using Cord19.Web.Jobs;
using Cord19.Web.Security;
using Cord19.Web.ServiceClient;
using Hangfire;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);
// `dotnet run` serves users (Production: no developer exception page, which would show stack traces and request
// headers, the bearer token among them). Static web assets (MudBlazor's) still come from the build output when the app
// runs from its source tree; a published app has them in wwwroot and this does nothing.
builder.WebHost.UseStaticWebAssets();
builder.UseLoopbackByDefault();
// Structured logs as one JSON object per line (for containers and log shippers): CORD19_LOG_FORMAT=json.
if (string.Equals(builder.Configuration["CORD19_LOG_FORMAT"], "json", StringComparison.OrdinalIgnoreCase))
    builder.Logging.ClearProviders().AddJsonConsole(o => o.IncludeScopes = true);
// CORD19_DATA_DIR from the environment, the command line (--CORD19_DATA_DIR=...) or a test host's settings.
var data = DataDirectory.From(builder.Configuration[DataDirectory.EnvironmentVariable]);

// Sign-in is on unless CORD19_SIGN_IN=off, which is refused for anything but a loopback address.
var signInOff = string.Equals(builder.Configuration["CORD19_SIGN_IN"], "off", StringComparison.OrdinalIgnoreCase);
if (signInOff && !builder.ListensOnLoopbackOnly())
{
    Console.Error.WriteLine("Refusing to start: CORD19_SIGN_IN=off with a non-loopback address would let anyone on the network spend your money. " +
                            "Remove CORD19_SIGN_IN=off, or listen on 127.0.0.1 only.");
    return 1;
}
var token = signInOff ? null : AccessToken.FromConfiguration(builder.Configuration[AccessToken.EnvironmentVariable]);
if (token is not null) builder.Services.AddCord19SignIn(token, data, OpenIdSignIn.FromConfiguration(builder.Configuration));

// CORD19_POSTGRES (a connection string) moves the app's state and the job queue to PostgreSQL.
var postgres = builder.Configuration[StateDatabase.EnvironmentVariable];
// CORD19_S3_BUCKET (with CORD19_S3_ENDPOINT for MinIO) moves the results to S3.
builder.Services.AddCord19Core(data, postgres, S3Location.FromEnvironment(key => builder.Configuration[key]));
builder.Services.AddCord19HealthChecks();
builder.Services.AddCord19Jobs(data, postgres);
builder.Services.AddSingleton<IDeploymentClient, DeploymentClient>();
builder.Services.AddSingleton<IAwsClient, AwsClient>();
builder.Services.AddSingleton<ICostClient, CostClient>();
builder.Services.AddSingleton<ISettingsClient, SettingsClient>();
builder.Services.AddSingleton<RunCache>();
builder.Services.AddHostedService<CostMeterLoop>();
builder.Services.AddHostedService<AwsReconciliationAtStart>();
builder.Services.AddHostedService<SpotPriceWatching>();
// CORD19_AIRFLOW_URL (+ _USER, _PASSWORD or _TOKEN) connects the Airflow page and API to an Airflow 2 or 3.
builder.Services.AddCord19Airflow(builder.Configuration);
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices(mud => mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
builder.Services.AddProblemDetails();

var app = builder.Build();

// Before the job server picks anything up: a run left "running" by a killed process is marked interrupted.
await app.Services.InitializeCord19Async();
var strictBinding = signInOff ? app.RefuseNetworkWithoutSignIn() : null;

// Errors never show internals: the API answers RFC 9457 problem details (with a trace id, never an HTML page, never a
// 405 from replaying a POST to the error page); pages get the error page. Development's exception page only where
// ASPNETCORE_ENVIRONMENT=Development is asked for explicitly.
app.UseWhen(http => IsApi(http.Request.Path), api => api
    .UseExceptionHandler(new ExceptionHandlerOptions
    {
        StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
    })
    // An error answered without a body (a malformed request the framework refused) gets problem details too.
    .UseStatusCodePages());
if (!app.Environment.IsDevelopment())
    app.UseWhen(http => !IsApi(http.Request.Path), pages => pages.UseExceptionHandler("/Error", createScopeForErrors: true));
// People get a page for a missing address; scripts keep the API's status codes (a 401 must stay a 401).
app.UseWhen(http => !IsApi(http.Request.Path),
    pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
// Routing after the status-code pages, so that a re-executed request ("/not-found") is routed again.
app.UseRouting();
app.UseSameOriginWrites(signInOff: token is null);
if (token is not null)
{
    app.UseAuthentication();
    app.UseTokenInAddress();
    app.UseAuthorization();
}
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapCord19HealthChecks();
if (token is not null) app.MapSignIn();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.UseHangfireInputGuard();
app.MapHangfireDashboard("/hangfire", new DashboardOptions
{
    DashboardTitle = "CORD-19 background jobs",
    AppPath = "/",
    // Signed in like every page; with sign-in off (loopback only), Hangfire's own local-requests-only filter.
    Authorization = token is not null ? [new SignedInDashboardFilter()] : [new Hangfire.Dashboard.LocalRequestsOnlyAuthorizationFilter()],
});
app.MapPhaseApi();
app.MapResultApi();
app.MapSettingsApi();
app.MapCostApi();
app.MapAirflowApi();
app.MapAwsApi();

app.PrintAddressesWhenStarted(data.Root, token, strictBinding);
app.Run();
return Environment.ExitCode; // 1 when the app stopped itself (sign-in off on a network address)

static bool IsApi(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/health");

/// <summary>Visible to the test host (WebApplicationFactory).</summary>
public partial class Program;
