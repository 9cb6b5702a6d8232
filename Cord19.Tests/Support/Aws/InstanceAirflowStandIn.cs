using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Amazon.SimpleSystemsManagement.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace Cord19.Tests.Support.Aws;

/// <summary>
/// What the instance's nginx and Airflow answer, for the acceptance against moto (no emulator runs an instance's
/// software): HTTPS with the deployment's key and certificate, read from moto's SSM Parameter Store as the first-boot
/// script reads them, the health endpoint, and the DAG list behind the admin's password from SSM: Airflow 3's
/// (/api/v2, a JWT from POST /auth/token, the default release) and Airflow 2's (/api/v1, basic auth).
/// </summary>
public sealed class InstanceAirflowStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private InstanceAirflowStandIn(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>While true, Airflow is "still installing": nginx answers 502 for everything.</summary>
    public bool Installing { get; set; }

    /// <summary>A certificate to serve instead of the deployment's from SSM (a test's own, or an impostor's).</summary>
    public X509Certificate2? ServedCertificate { get; set; }

    public static async Task<InstanceAirflowStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        InstanceAirflowStandIn? standIn = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificateSelector = (_, _) => standIn!.ServedCertificate ?? DeploymentCertificate(),
        })));
        var app = builder.Build();
        standIn = new InstanceAirflowStandIn(app);
        app.Run(standIn.AnswerAsync);
        await app.StartAsync();
        standIn.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
        return standIn;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var path = context.Request.Path.Value;
        if (Installing)
        {
            context.Response.StatusCode = 502;
            await context.Response.WriteAsync("<html><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>");
            return;
        }
        if (path is "/api/v1/health" or "/api/v2/monitor/health")
        {
            await HttpResults.Json(new { metadatabase = new { status = "healthy" }, scheduler = new { status = "healthy", latest_scheduler_heartbeat = DateTime.UtcNow } }).ExecuteAsync(context);
            return;
        }
        if (path == "/auth/token" && HttpMethods.IsPost(context.Request.Method))
        {
            using var body = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body);
            var user = body.RootElement.TryGetProperty("username", out var u) ? u.GetString() : null;
            var password = body.RootElement.TryGetProperty("password", out var p) ? p.GetString() : null;
            if (IsAdmin(user, password))
                await HttpResults.Json(new { access_token = IssueToken() }, statusCode: 201).ExecuteAsync(context);
            else
                await HttpResults.Json(new { detail = "Invalid credentials" }, statusCode: 401).ExecuteAsync(context);
            return;
        }
        if (!SignedIn(context.Request.Headers.Authorization.ToString()))
        {
            await HttpResults.Json(new { title = "Unauthorized", status = 401 }, statusCode: 401).ExecuteAsync(context);
            return;
        }
        if (path is "/api/v1/dags" or "/api/v2/dags")
            await HttpResults.Json(new { dags = Array.Empty<object>(), total_entries = 0 }).ExecuteAsync(context);
        else
            await HttpResults.Json(new { title = "Not Found", status = 404 }, statusCode: 404).ExecuteAsync(context);
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _tokens = new();

    /// <summary>How many sign-ins Airflow 3's /auth/token granted.</summary>
    public int TokensIssued => _tokens.Count;

    private string IssueToken()
    {
        var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        _tokens[token] = true;
        return token;
    }

    private bool SignedIn(string authorization)
    {
        if (authorization.StartsWith("Bearer ", StringComparison.Ordinal)) return _tokens.ContainsKey(authorization[7..]);
        if (!authorization.StartsWith("Basic ", StringComparison.Ordinal)) return false;
        var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..])).Split(':', 2);
        return pair is [var user, var password] && IsAdmin(user, password);
    }

    private static bool IsAdmin(string? user, string? password) => user == "admin" && password is not null && password == Parameter("airflow-admin-password");

    /// <summary>The live deployment's certificate and key, as the first-boot script writes them from SSM.</summary>
    private static X509Certificate2 DeploymentCertificate() =>
        X509Certificate2.CreateFromPem(Parameter("airflow-tls-certificate")!, Parameter("airflow-tls-key")!);

    private static string? Parameter(string suffix)
    {
        using var ssm = Moto.Connect().Ssm();
        var described = ssm.DescribeParametersAsync(new DescribeParametersRequest
        {
            ParameterFilters = [new ParameterStringFilter { Key = "Name", Option = "BeginsWith", Values = ["/cord19/"] }],
            MaxResults = 50,
        }).GetAwaiter().GetResult();
        var name = (described.Parameters ?? []).Select(p => p.Name).FirstOrDefault(n => n.EndsWith("/" + suffix, StringComparison.Ordinal));
        return name is null ? null : ssm.GetParameterAsync(new GetParameterRequest { Name = name, WithDecryption = true }).GetAwaiter().GetResult().Parameter.Value;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
