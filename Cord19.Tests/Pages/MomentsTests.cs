using Cord19.Web.Model;

namespace Cord19.Tests.Pages;

/// <summary>Moments in the zone the reader's browser names, and the server's when the name is not one.</summary>
public sealed class MomentsTests
{
    private static readonly DateTime SummerInAuckland = new(2026, 12, 4, 20, 15, 30, DateTimeKind.Utc);

    [Fact]
    public void A_zone_the_browser_names_writes_its_own_time()
    {
        var auckland = Moments.For("Pacific/Auckland");

        Assert.Equal("2026-12-05 09:15", auckland.Date(SummerInAuckland));
        Assert.Equal("09:15:30", auckland.Clock(SummerInAuckland));
        Assert.Equal("09:15:30", auckland.Clock(new DateTimeOffset(SummerInAuckland)));
        // A time read back from the state without its kind is UTC, as the state stores it.
        Assert.Equal("09:15:30", auckland.Clock(DateTime.SpecifyKind(SummerInAuckland, DateTimeKind.Unspecified)));
        Assert.Equal("2026-12-04 15:15", Moments.For("America/New_York").Date(SummerInAuckland));
        Assert.Equal("15:15:30", Moments.For("Etc/GMT+5").Clock(SummerInAuckland));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("../../../etc/passwd")]
    [InlineData("/etc/localtime")]
    [InlineData("Europe/../../etc/passwd")]
    [InlineData("Europe/Paris\0")]
    public void A_name_that_is_not_a_zone_gives_the_servers_moments(string? name) =>
        Assert.Same(Moments.OfServer, Moments.For(name));
}
