namespace Cord19.Core.Deployments;

/// <summary>
/// How long the state's retries may go on for the work under way. A phase rides out a fail-over of PostgreSQL for about
/// a minute (<see cref="StateDatabase"/>'s strategy): nobody watches each of its writes, and failing it costs a rerun. A
/// person who opened a page or clicked waits for the answer, and a minute's spinner tells them nothing: their reads and
/// writes are told after <see cref="OfPerson"/>, and they try again. Ambient, as Activity.Current is, because EF Core
/// builds the strategy deep inside each query, where no parameter reaches; it flows into what the person's request
/// awaits, and not into the jobs it queues.
/// </summary>
public static class StateDatabasePatience
{
    /// <summary>
    /// Covers a restart of PostgreSQL or a quick switch-over (seconds): the strategy's waits of 0, 1, 3 and 7 s fit, the
    /// next (15 s) does not.
    /// </summary>
    public static readonly TimeSpan OfPerson = TimeSpan.FromSeconds(15);

    private static readonly AsyncLocal<TimeSpan?> Limit = new();

    /// <summary>How long the retries of the work under way may last; null for the strategy's own minute.</summary>
    public static TimeSpan? Current => Limit.Value;

    /// <summary>
    /// How long one command of the work under way may wait for its answer; null for the driver's own 30 s. Two thirds of
    /// the patience, 10 s for a person: the state's queries answer in milliseconds, and a query sent into a partition (no
    /// answer, no reset) then gives up. Npgsql's cancellation of it comes on top (a connection of its own, twice
    /// <see cref="StateDatabase.ConnectTimeoutSeconds"/> here), so a person is told after about 14 s, within the patience
    /// (measured in StateDatabaseOutageApiTests; 60 s before).
    /// </summary>
    public static TimeSpan? CommandTimeout => Current * 2 / 3;

    /// <summary>The state's retries within the returned scope end by <paramref name="limit"/>.</summary>
    public static Scope Within(TimeSpan limit)
    {
        var outer = Limit.Value;
        Limit.Value = limit;
        return new Scope(outer);
    }

    public readonly struct Scope(TimeSpan? outer) : IDisposable
    {
        public void Dispose() => Limit.Value = outer;
    }
}
