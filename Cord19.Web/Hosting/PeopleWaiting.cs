using Cord19.Core.Deployments;

namespace Cord19.Web.Hosting;

/// <summary>
/// Every request is somebody waiting: a page's circuit (its SignalR connection is a request, and all its work flows from
/// it), a click, a script's call. Their state reads and writes give up after
/// <see cref="StateDatabasePatience.OfPerson"/> instead of a phase's minute, and they are told why and when to try again.
/// The phases they start run as jobs, outside the request, and keep the minute.
/// </summary>
public static class PeopleWaiting
{
    public static IApplicationBuilder UseShortStateRetriesForPeople(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        using (StateDatabasePatience.Within(StateDatabasePatience.OfPerson))
            await next(http);
    });
}
