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

    /// <summary>Prints where to open the panel once Kestrel is listening.</summary>
    public static void PrintAddressesWhenStarted(this WebApplication app, string dataDirectory)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Urls.Count > 0 ? app.Urls : [DefaultUrl];
            Console.WriteLine();
            Console.WriteLine("CORD-19 control panel is running (local target).");
            foreach (var address in addresses) Console.WriteLine($"  Open {address}");
            Console.WriteLine($"  Data directory: {dataDirectory}");
            Console.WriteLine("  Press Ctrl+C to stop.");
            Console.WriteLine();
        });
    }
}
