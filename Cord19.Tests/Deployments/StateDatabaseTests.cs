using Cord19.Core.Deployments;
using Cord19.Core.Deployments.Schema;
using Cord19.Core.Settings;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cord19.Tests.Deployments;

/// <summary>How the state's PostgreSQL connections are set up from CORD19_POSTGRES (no server is opened).</summary>
public sealed class StateDatabaseTests
{
    [Theory]
    [InlineData("Host=db;Username=cord19;Database=cord19", StateDatabase.ConnectTimeoutSeconds)]
    [InlineData("Host=db;Username=cord19;Database=cord19;Timeout=15", 15)] // Npgsql's default, named: the operator's choice
    [InlineData("Host=db;Username=cord19;Database=cord19;timeout=30", 30)]
    public void The_state_connects_within_2_s_unless_the_connection_string_names_its_own_timeout(string configured, int seconds)
    {
        var options = new DbContextOptionsBuilder<PostgresCord19Db>();
        new StateDatabase(configured, new DataDirectory(Path.GetTempPath())).UsePostgres(options);

        using var db = new PostgresCord19Db(options.Options);
        Assert.Equal(seconds, new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()).Timeout);
    }
}
