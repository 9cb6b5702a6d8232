using System.IO.Compression;
using System.Text;
using Amazon.S3.Model;
using Cord19.Core.Releases;
using Cord19.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Cord19.Tests.Browser;

/// <summary>Settings' Get CORD-19 panel against AI2's bucket layout on s3rver (AWS_ENDPOINT_URL_S3), in a real browser.</summary>
public sealed class GetCord19BrowserTests : BrowserTest
{
    private S3rver _s3 = null!;
    private byte[] _metadata = [];

    protected override IReadOnlyDictionary<string, string>? Environment => new Dictionary<string, string> { ["AWS_ENDPOINT_URL_S3"] = _s3.Endpoint };

    protected override async Task ArrangeAsync()
    {
        _s3 = await S3rver.StartAsync(Cord19Releases.Bucket);
        // About 60 MB: long enough on a loopback connection for the bar to be seen part-way.
        var csv = new StringBuilder("cord_uid,title,abstract,publish_time\n");
        for (var i = 0; csv.Length < 60_000_000; i++) csv.Append($"id{i},Paper {i},Abstract {i} on transmission {i * 7919 % 100_003} and vaccines {i * 104_729 % 99_991},2021-03-{i % 28 + 1:00}\n");
        _metadata = Encoding.UTF8.GetBytes(csv.ToString());
        using var client = _s3.CreateClient();
        await client.PutObjectAsync(new PutObjectRequest { BucketName = Cord19Releases.Bucket, Key = "2020-03-13/metadata.csv", ContentBody = "cord_uid,title\n", UseChunkEncoding = false });
        await client.PutObjectAsync(new PutObjectRequest { BucketName = Cord19Releases.Bucket, Key = "2022-06-02/metadata.csv", InputStream = new MemoryStream(_metadata), UseChunkEncoding = false });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _s3.DisposeAsync();
    }

    [Fact]
    public async Task The_panel_downloads_the_final_release_with_a_moving_progress_bar_and_sets_the_metadata_file()
    {
        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
        await App.OpenAsync(page, "/settings");
        await Expect(page.Locator("[data-testid=app][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=get-cord19]")).ToContainTextAsync("MB to download", new() { Timeout = 15_000 });
        await Expect(page.Locator("[data-testid=get-cord19]")).ToContainTextAsync("2022-06-02 (final)");
        // Every share the status line shows on its way, recorded in the page as it changes.
        await page.EvaluateAsync("""
            () => {
              window.__shares = [];
              new MutationObserver(() => {
                const status = document.querySelector('[data-testid=download-status]');
                const share = status && /: (\d+)%/.exec(status.textContent);
                if (share) window.__shares.push(+share[1]);
              }).observe(document.body, { subtree: true, childList: true, characterData: true });
            }
            """);

        await page.Locator("[data-testid=start-download]").ClickAsync();

        await Expect(page.Locator("input[data-testid=metadata-path]")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("metadata-2022-06-02\\.csv\\.gz$"), new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=download-status]")).ToContainTextAsync("downloaded and verified");
        var shares = await page.EvaluateAsync<int[]>("() => window.__shares");
        Assert.Contains(shares, s => s is > 0 and < 100);
        var file = await page.Locator("input[data-testid=metadata-path]").InputValueAsync();
        await using var gzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
        using var copy = new MemoryStream();
        await gzip.CopyToAsync(copy);
        Assert.Equal(_metadata.Length, copy.Length);
        Figures.Report($"get cord19: shares seen {string.Join(",", shares.Distinct())}");
    }
}
