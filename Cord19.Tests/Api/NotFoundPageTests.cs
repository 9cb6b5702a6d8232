using System.Net;
using Cord19.Tests.Support;
using Cord19.Web.Components.Layout;

namespace Cord19.Tests.Api;

[Collection(InProcessHostCollection.Name)]
public sealed class NotFoundPageTests : ApiTest
{
    [Fact]
    public async Task A_missing_page_answers_404_and_lists_every_page_of_the_panel()
    {
        var answer = await Http.GetAsync("/no-such-page");
        var html = await answer.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal(9, PanelPages.All.Count);
        Assert.All(PanelPages.All, page => Assert.Contains($"<b>{page.Title}</b>", html));
    }
}
