using Cord19.Core.Configuration;
using Cord19.Web.Hosting;

ProcessCulture.UseInvariant(); // English pages, English numbers, whatever the machine's LANG
var builder = WebApplication.CreateBuilder(args);
if (builder.AddCord19() is null) return 1; // the configuration's problems are printed, each with its fix

var app = builder.Build();
if (!await app.MapCord19Async()) return 1; // the state's database cannot be used: printed, with its fix
return await app.RunCord19Async();

/// <summary>Visible to the test host (WebApplicationFactory).</summary>
public partial class Program;
