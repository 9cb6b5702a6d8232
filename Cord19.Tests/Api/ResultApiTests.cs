using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Core.Results;
using Cord19.Tests.Support;
using Cord19.Web.Model;

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
        var response = await Http.GetAsync("/api/results/good/map");
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var fields = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes);
        Assert.Equal([DocumentMapPayload.Magic, DocumentMapPayload.Version, 500, 500], fields[..4].ToArray());
        var documents = new List<int>();
        for (int c = 0, at = 5; c < fields[4]; c++)
        {
            var count = fields[at + 1];
            documents.AddRange(fields.Slice(at + 2 + 2 * count, count).ToArray());
            at += 2 + 3 * count;
        }
        Assert.Equal(Enumerable.Range(0, 500), documents.Order());
    }

    [Fact]
    public async Task A_point_card_names_its_document_and_a_wrong_index_is_a_clear_404()
    {
        var card = await Http.GetFromJsonAsync<JsonElement>("/api/results/good/documents/7");
        Assert.StartsWith("Synthetic paper", card.GetProperty("title").GetString());

        var missing = await Http.GetAsync("/api/results/good/documents/500");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("documents 0 to 499", await missing.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/results/good/documents/-1")).StatusCode);
    }

    [Fact]
    public async Task A_run_is_its_manifest_clusters_and_topics()
    {
        var run = await Http.GetFromJsonAsync<JsonElement>("/api/results/good");
        Assert.Equal(500, run.GetProperty("manifest").GetProperty("documents").GetInt32());
        Assert.Equal(run.GetProperty("manifest").GetProperty("clusters").GetInt32(), run.GetProperty("clusters").GetArrayLength());
        Assert.NotEqual(0, run.GetProperty("topics").GetArrayLength());
    }

    [Theory]
    [InlineData("/api/results/missing", HttpStatusCode.NotFound, "runs/missing/manifest.json")]
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
