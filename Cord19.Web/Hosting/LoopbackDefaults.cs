namespace Cord19.Web.Hosting;

public static class LoopbackDefaults
{
    public const string DefaultUrl = "http://127.0.0.1:5252";

    /// <summary>
    /// Listens on loopback unless an address was given (--urls, ASPNETCORE_URLS, a launch profile): the panel
    /// drives cloud spending and has no sign-in yet, so it must not be reachable from the network by default.
    /// </summary>
    public static WebApplicationBuilder UseLoopbackByDefault(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
            builder.WebHost.UseUrls(DefaultUrl);
        return builder;
    }

    /// <summary>True when every configured address is on this machine only.</summary>
    public static bool ListensOnLoopbackOnly(this WebApplicationBuilder builder)
    {
        var urls = builder.Configuration["urls"];
        if (string.IsNullOrEmpty(urls)) return true;
        return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(url => IsLoopbackHost(HostOf(url)));
    }

    /// <summary>
    /// Whether a request names this machine: its <c>Host</c> is <c>localhost</c> or a loopback address. A page whose site
    /// pointed its own name at 127.0.0.1 (DNS rebinding) sends that name instead. No <c>Host</c> at all (an HTTP/1.0
    /// script) counts as this machine: only a browser can be made to rebind, and browsers always send one.
    /// </summary>
    public static bool NamesThisMachine(HostString host) => !host.HasValue || IsLoopbackHost(host.Host);

    /// <summary><c>localhost</c> or a loopback address (<c>127.0.0.0/8</c>, <c>::1</c>, bracketed or not): the names that reach this machine only.</summary>
    private static bool IsLoopbackHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));

    /// <summary>The host of an address as Kestrel is given or reports it ("http://[::1]:5252", "http://+:80").</summary>
    private static string HostOf(string url)
    {
        var host = url.Split("://").Last().Split('/')[0];
        return host.StartsWith('[') ? host[..(host.IndexOf(']') + 1)] : host.Split(':')[0];
    }

    /// <summary>
    /// With sign-in off, the addresses Kestrel actually bound decide, however they were given (--urls,
    /// Kestrel__Endpoints__…, ASPNETCORE_HTTP_PORTS, a launch profile): <see cref="PrintAddressesWhenStarted"/> checks
    /// them first and stops the app with exit code 1 if any is not loopback. Until that check has passed, every
    /// request is answered 503, so nothing is served in between. Returns the check's gate.
    /// </summary>
    public static StrictBinding RefuseNetworkWithoutSignIn(this WebApplication app)
    {
        var gate = new StrictBinding();
        app.Use(async (http, next) =>
        {
            if (gate.Passed) await next();
            else http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        });
        return gate;
    }

    /// <summary>Whether the bound addresses were checked and found loopback only.</summary>
    public sealed class StrictBinding
    {
        private volatile bool _passed;
        public bool Passed => _passed;

        /// <summary>True when every address is loopback (and opens the gate); otherwise says so and stops the app.</summary>
        internal bool Check(WebApplication app, IReadOnlyCollection<string> bound)
        {
            var open = bound.Where(a => !IsLoopbackHost(HostOf(a))).ToList();
            if (open.Count == 0) return _passed = true;
            Console.Error.WriteLine($"Refusing to serve: CORD19_SIGN_IN=off, but the panel is listening on {string.Join(", ", open)}, which the network can reach. " +
                                    "Anyone there could spend your money. Remove CORD19_SIGN_IN=off, or listen on 127.0.0.1 only.");
            Environment.ExitCode = 1;
            app.Lifetime.StopApplication();
            return false;
        }
    }

    /// <summary>
    /// The target new phases use (CORD19_TARGET, else Settings), and the live deployment's if it differs: a deployment
    /// stays where it started, so the banner must not say "local" while an AWS deployment is still billing.
    /// </summary>
    private static string TargetInForce(IServiceProvider services)
    {
        try
        {
            var settings = services.GetRequiredService<Cord19.Core.Settings.SettingsStore>().GetAsync().GetAwaiter().GetResult();
            var live = services.GetRequiredService<Cord19.Core.Deployments.DeploymentStore>().GetWithRunsAsync().GetAwaiter().GetResult();
            var target = settings.Target == Cord19.Core.Deployments.DeploymentTarget.Aws ? $"AWS target, {settings.AwsRegion}" : "local target";
            return live is { Deployment: { HasEnded: false } deployment } && deployment.Target != settings.Target
                ? $"{target}; the live deployment {Cord19.Core.Targets.Aws.ResourceTags.Short(deployment.Id)} stays on the {Cord19.Core.Deployments.DeploymentTargets.Name(deployment.Target)} target until phase 7"
                : target;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException)
        {
            return "target unknown: the state database could not be read";
        }
    }

    /// <summary>Prints where to open the panel once Kestrel is listening: with the token, as Jupyter does, unless the operator chose it.</summary>
    /// <param name="strict">With sign-in off: the bound addresses are checked before anything is printed.</param>
    public static void PrintAddressesWhenStarted(this WebApplication app, string dataDirectory, Security.AccessToken? token, StrictBinding? strict = null)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var bound = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
            if (strict is not null && !strict.Check(app, bound.ToList())) return;
            var addresses = app.Urls.Count > 0 ? app.Urls : [DefaultUrl];
            Console.WriteLine();
            Console.WriteLine($"CORD-19 control panel is running ({TargetInForce(app.Services)}).");
            foreach (var address in addresses)
                Console.WriteLine(token is { Generated: true } t ? $"  Open {address}/?token={t.Value}"
                    : token is not null ? $"  Open {address} and sign in with the token in {Security.AccessToken.EnvironmentVariable}"
                    : $"  Open {address} (sign-in is off)");
            Console.WriteLine($"  Data directory: {dataDirectory}");
            Console.WriteLine("  Press Ctrl+C to stop.");
            Console.WriteLine();
        });
    }
}
