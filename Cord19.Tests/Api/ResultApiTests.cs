using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Core.Results;
using Cord19.Tests.Support;

namespace Cord19.Tests.Api;

[Collection(InProcessHostCollection.Name)]
public sealed class ResultApiTests : ApiTest
{
    private ResultStore _store = null!;

    protected override async Task ArrangeAsync()
    {
        _store = new ResultStore(new LocalFolderObjectStore(Path.Combine(App.DataDirectory, "results")));
        await _store.PublishRunAsync(SyntheticRun.Create("good", 500), default);
        var broken = SyntheticRun.Create("nan", 20);
        await _store.PublishRunAsync(broken with { Documents = broken.Documents.Select(d => d with { Y = float.PositiveInfinity }).ToList() }, default);
    }

    [Fact]
    public async Task The_map_payload_has_every_point_once()
    {
        var payload = await Http.GetFromJsonAsync<JsonElement>("/api/results/good/map");

        Assert.Equal(500, payload.GetProperty("total").GetInt32());
        var points = payload.GetProperty("points").EnumerateObject().SelectMany(c => c.Value.EnumerateArray()).ToList();
        Assert.Equal(500, points.Count);
        Assert.Equal(500, points.Select(p => p[3].GetInt32()).Distinct().Count());
        Assert.Equal(500, payload.GetProperty("docs").GetArrayLength());
    }

    [Theory]
    [InlineData("/api/results/missing/map", HttpStatusCode.NotFound, "runs/missing/manifest.json")]
    [InlineData("/api/results/nan/map", HttpStatusCode.UnprocessableEntity, "not numbers")]
    [InlineData("/api/results/good/map?limit=0", HttpStatusCode.BadRequest, "positive number")]
    [InlineData("/api/results/..%2F..%2Fetc/map", HttpStatusCode.NotFound, "is not a run id")]
    public async Task Bad_requests_get_a_clear_problem(string url, HttpStatusCode status, string detail)
    {
        var response = await Http.GetAsync(url);
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(detail, await response.Content.ReadAsStringAsync());
    }
}
