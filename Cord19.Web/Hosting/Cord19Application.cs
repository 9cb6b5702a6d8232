using Cord19.Core;
using Cord19.Core.Configuration;
using Cord19.Web.Airflow;
using Cord19.Web.Api;
using Cord19.Web.Components;
using Cord19.Web.Jobs;
using Cord19.Web.Security;
using Cord19.Web.ServiceClient;
using Hangfire;
using MudBlazor.Services;

namespace Cord19.Web.Hosting;

/// <summary>The panel as one host: <see cref="AddCord19"/> for its services, <see cref="MapCord19Async"/> for its requests.</summary>
public static class Cord19Application
{
    /// <summary>
    /// Binds <see cref="Cord19Options"/> from configuration, checks it, and adds every feature. Null, after printing each
    /// problem with its fix, when the panel must not start.
    /// </summary>
    public static Cord19Options? AddCord19(this WebApplicationBuilder builder)
    {
        // `dotnet run` serves users (Production: no developer exception page, which would show stack traces and request
        // headers, the bearer token among them). Static web assets (MudBlazor's) still come from the build output when the
        // app runs from its source tree; a published app has them in wwwroot and this does nothing.
        builder.WebHost.UseStaticWebAssets();
        builder.UseLoopbackByDefault();

        var options = builder.Configuration.Get<Cord19Options>() ?? new Cord19Options();
        var problems = options.Validate().ToList();
        if (options.SignInOff && !builder.ListensOnLoopbackOnly())
            problems.Add($"{Cord19Options.SignInVariable}=off with a non-loopback address would let anyone on the network spend your money. " +
                         $"Remove {Cord19Options.SignInVariable}=off, or listen on 127.0.0.1 only.");
        if (problems.Count == 0 && options.Data.WhyNotWritable() is { } notWritable)
            problems.Add(notWritable);
        if (problems.Count > 0)
        {
            foreach (var problem in problems) RefuseToStart(problem);
            return null;
        }

        if (options.LogsAsJson) builder.Logging.ClearProviders().AddJsonConsole(o => o.IncludeScopes = true);
        var services = builder.Services;
        if (!options.SignInOff)
            services.AddCord19SignIn(AccessToken.FromConfiguration(options.AccessToken), options.Data, OpenIdSignIn.From(options));
        services.AddProxyHeaders(options.TrustedProxyNetworks);
        services.AddCord19Core(options);
        services.AddCord19HealthChecks();
        services.AddCord19Jobs(options);
        services.AddSingleton<IDeploymentClient, DeploymentClient>();
        services.AddSingleton<IAwsClient, AwsClient>();
        services.AddSingleton<ICostClient, CostClient>();
        services.AddSingleton<ISettingsClient, SettingsClient>();
        services.AddSingleton<IReleaseClient, ReleaseClient>();
        services.AddSingleton<RunCache>();
        services.AddHostedService<PanelWarmUp>();
        services.AddHttpClient(PanelWarmUp.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler { AllowAutoRedirect = false });
        services.AddHostedService<CostMeterLoop>();
        services.AddHostedService<AwsReconciliationAtStart>();
        services.AddHostedService<AwsDeploymentWatching>();
        services.AddHostedService<SpotPriceWatching>();
        services.AddCord19Airflow(options.Airflow);
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddSingleton<Cord19.Web.Components.Layout.DarkPalette>();
        services.AddMudServices(mud => mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
        services.AddPackageAssetCompression();
        // The API's bodies are hand-written JSON: a name given twice is refused as the body is read (400), not kept for later.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.AllowDuplicateProperties = Core.Json.HandWrittenJson.AllowDuplicateNames);
        services.AddProblemDetails();
        services.AddExceptionHandler<FailureProblems>();
        return options;
    }

    /// <summary>
    /// Serves until the app stops; returns the exit code: 1 when it stopped itself (sign-in off on a network address)
    /// or could not start. A start that fails (most often an address: taken by another program, often this panel
    /// started twice, or malformed) ends with one line naming the cause and the fix, not an unhandled exception; the host
    /// has logged the details.
    /// </summary>
    public static async Task<int> RunCord19Async(this WebApplication app)
    {
        try
        {
            await app.StartAsync();
        }
        catch (Exception ex)
        {
            var fix = ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException
                ? "Another program listens there (perhaps this panel, already running): stop it, or give another address, e.g. --urls http://127.0.0.1:5253."
                // Kestrel reports a bad address with plain framework exceptions: where they were thrown is the only sign.
                : ex.StackTrace?.Contains("Kestrel.Core.Internal.AddressBinder", StringComparison.Ordinal) == true
                    ? $"Give the panel an address it can listen on, e.g. --urls http://127.0.0.1:5252" +
                      (app.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } given ? $" (it was given {given})." : ".")
                    : "The log above has the details.";
            RefuseToStart($"{ex.Message.ReplaceLineEndings(" ").TrimEnd('.')}. {fix}");
            return 1;
        }
        await app.WaitForShutdownAsync();
        return Environment.ExitCode;
    }

    /// <summary>
    /// Prepares the state (before the job server picks anything up), then the request pipeline and every endpoint. False,
    /// after printing why and the fix, when another panel runs on the same SQLite data folder, or the state's PostgreSQL
    /// refuses the panel or cannot be reached.
    /// </summary>
    public static async Task<bool> MapCord19Async(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Cord19Options>();
        if (!options.StateDatabase.IsPostgres)
        {
            if (options.Data.TakeForOnePanel(out var taken) is not { } folder)
            {
                RefuseToStart(taken!);
                return false;
            }
            app.Lifetime.ApplicationStopped.Register(folder.Dispose);
        }
        try
        {
            // A run left "running" by a killed process is marked interrupted.
            await app.Services.InitializeCord19Async();
        }
        catch (Exception ex) when (options.StateDatabase.WhyUnreachable(ex) is { } why)
        {
            RefuseToStart(why);
            return false;
        }
        var token = app.Services.GetService<AccessToken>();
        app.UseShortStateRetriesForPeople();
        app.UseSecurityHeaders();
        LoopbackDefaults.StrictBinding? strictBinding = null;
        if (options.SignInOff)
        {
            strictBinding = app.RefuseNetworkWithoutSignIn();
            // Before the proxy headers are read: ASP.NET's forwarded-headers middleware takes X-Forwarded-For off the request.
            app.UseThisMachineOnly();
        }
        app.UseProxyHeaders();

        // Errors never show internals: the API answers RFC 9457 problem details (with a trace id, never an HTML page, never a
        // 405 from replaying a POST to the error page); pages get the error page. Development's exception page only where
        // ASPNETCORE_ENVIRONMENT=Development is asked for explicitly.
        app.UseWhen(http => IsApi(http.Request.Path), api => api
            .UseExceptionHandler(new ExceptionHandlerOptions
            {
                StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            })
            // An error answered without a body (a malformed request the framework refused) gets problem details too.
            .UseStatusCodePages()
            .UseUtf8Bodies());
        if (!app.Environment.IsDevelopment())
            app.UseWhen(http => !IsApi(http.Request.Path), pages => pages.UseExceptionHandler("/Error", createScopeForErrors: true));
        // People get a page for a missing address; scripts keep the API's status codes (a 401 must stay a 401).
        app.UseWhen(http => !IsApi(http.Request.Path),
            pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UsePackageAssetCompression();
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

        app.PrintAddressesWhenStarted(options.Data.Root, token, strictBinding);
        return true;
    }

    private static bool IsApi(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/health");

    /// <summary>The one shape of every refused start: a line on stderr with the cause and the fix (the caller exits with 1).</summary>
    private static void RefuseToStart(string why) => Console.Error.WriteLine($"Refusing to start: {why}");
}
