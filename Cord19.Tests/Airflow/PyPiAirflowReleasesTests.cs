using System.Net;
using System.Text;
using Cord19.Core.Airflow;
using Cord19.Tests.Support;

namespace Cord19.Tests.Airflow;

/// <summary>
/// The PyPI client against answers shaped as PyPI's JSON API documents them (docs.pypi.org/api/json: its example
/// responses, trimmed to a few fields). No PyPI is reachable here, and none is emulated beyond these answers.
/// </summary>
public sealed class PyPiAirflowReleasesTests
{
    private const string Release = """
        {"info": {"name": "apache-airflow", "version": "3.2.1", "requires_python": ">=3.10,!=3.15", "yanked": false, "yanked_reason": null,
                  "classifiers": ["Framework :: Apache Airflow", "Programming Language :: Python :: 3", "Programming Language :: Python :: 3.10",
                                  "Programming Language :: Python :: 3.11", "Programming Language :: Python :: 3.12", "Programming Language :: Python :: 3.13",
                                  "Programming Language :: Python :: 3 :: Only", "Programming Language :: Python :: Implementation :: CPython"]},
         "last_serial": 1, "urls": [],
         "vulnerabilities": [
           {"aliases": ["CVE-2026-0001"], "details": "…", "summary": "…", "fixed_in": ["3.2.2"], "id": "PYSEC-2026-1",
            "link": "https://osv.dev/vulnerability/PYSEC-2026-1", "source": "osv", "withdrawn": null},
           {"aliases": [], "details": "…", "fixed_in": ["3.2.2"], "id": "PYSEC-2026-2", "link": "…", "source": "osv",
            "withdrawn": "2026-06-28T16:39:06Z"}]}
        """;

    private const string Project = """
        {"info": {"name": "apache-airflow", "version": "3.3.1", "yanked": false, "yanked_reason": null},
         "releases": {"3.2.1": [], "3.3.1": []}, "urls": [], "vulnerabilities": []}
        """;

    [Fact]
    public async Task A_release_is_read_with_its_known_vulnerabilities_and_the_latest_release()
    {
        var pypi = new ScriptedPyPi(path => path switch
        {
            "/pypi/apache-airflow/3.2.1/json" => Json(Release),
            "/pypi/apache-airflow/json" => Json(Project),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        });

        var facts = await pypi.Client.LookUpAsync("3.2.1", default);

        Assert.True(facts.Released);
        Assert.False(facts.Yanked);
        Assert.Equal("3.3.1", facts.Latest);
        Assert.True(facts.Superseded);
        var vulnerability = Assert.Single(facts.Vulnerabilities); // the withdrawn one is left out
        Assert.Equal(new[] { "PYSEC-2026-1", "CVE-2026-0001", "3.2.2" }, new[] { vulnerability.Id, vulnerability.Aliases[0], vulnerability.FixedIn[0] });
        Assert.Equal(["3.10", "3.11", "3.12", "3.13"], facts.Pythons); // "3", "3 :: Only" and the implementation name no version
        Assert.True(facts.InstallableOn("3.12"));
        Assert.False(facts.InstallableOn("3.9"));
        Assert.All(pypi.Requests, r => Assert.Equal("application/json", r.Headers.Accept.Single().MediaType));
    }

    [Fact]
    public async Task A_version_PyPI_does_not_have_is_not_released_and_a_withdrawn_one_is_yanked()
    {
        var yankedRelease = Release.Replace("\"yanked\": false, \"yanked_reason\": null", "\"yanked\": true, \"yanked_reason\": \"broken migrations\"");
        var pypi = new ScriptedPyPi(path => path switch
        {
            "/pypi/apache-airflow/3.2.0/json" => Json(yankedRelease),
            "/pypi/apache-airflow/json" => Json(Project),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("""{"message": "Not Found"}""", Encoding.UTF8, "application/json") },
        });

        var missing = await pypi.Client.LookUpAsync("3.2.9", default);
        var yanked = await pypi.Client.LookUpAsync("3.2.0", default);

        Assert.False(missing.Released);
        Assert.Equal("3.3.1", missing.Latest);
        Assert.Equal("broken migrations", yanked.YankedReason);
        Assert.False(yanked.InstallableOn(null));
    }

    [Fact]
    public async Task A_release_whose_classifiers_name_no_Python_version_is_not_judged_by_its_Python()
    {
        var bare = Release.Replace("\"classifiers\": [", "\"classifiers\": [\"Programming Language :: Python :: 3\"], \"no\": [");
        var pypi = new ScriptedPyPi(path => path == "/pypi/apache-airflow/3.2.1/json" ? Json(bare) : new HttpResponseMessage(HttpStatusCode.NotFound));

        var facts = await pypi.Client.LookUpAsync("3.2.1", default);

        Assert.Empty(facts.Pythons!);
        Assert.Null(facts.Supports("3.12"));
        Assert.True(facts.InstallableOn("3.12"));
    }

    [Fact]
    public async Task The_release_is_still_told_when_the_latest_cannot_be_read()
    {
        var pypi = new ScriptedPyPi(path => path == "/pypi/apache-airflow/3.2.1/json" ? Json(Release) : new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));

        var facts = await pypi.Client.LookUpAsync("3.2.1", default);

        Assert.True(facts.Released);
        Assert.Null(facts.Latest);
        Assert.False(facts.Superseded);
    }

    [Fact]
    public async Task A_web_page_instead_of_PyPIs_answer_is_named_and_not_pasted()
    {
        var pypi = new ScriptedPyPi(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent("<html><body>Sign in to the hotel's Wi-Fi</body></html>", Encoding.UTF8, "text/html"),
        });

        var refused = await Assert.ThrowsAsync<PackageIndexUnreachableException>(() => pypi.Client.LookUpAsync("3.2.1", default));

        Assert.Contains("it answered with text/html, not PyPI's JSON (a proxy or a wrong address?)", refused.Message);
        Assert.DoesNotContain("Wi-Fi", refused.Message);
        Assert.Contains("CORD19_PYPI_URL", refused.Message);
    }

    [Fact]
    public async Task A_PyPI_nothing_answers_at_is_said_with_the_fix()
    {
        // A real connection to a loopback port nothing listens on.
        var index = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        var client = new PyPiAirflowReleases(new HandlerClientFactory(new HttpClientHandler()), index);

        var refused = await Assert.ThrowsAsync<PackageIndexUnreachableException>(() => client.LookUpAsync("3.2.1", default));

        Assert.StartsWith($"Could not ask PyPI (http://127.0.0.1:{index.Port}) about Apache Airflow: ConnectionError", refused.Message);
        Assert.EndsWith("Check this machine's network (or CORD19_PYPI_URL), or look the release up on pypi.org/project/apache-airflow yourself.", refused.Message);
    }

    private static HttpResponseMessage Json(string body) => new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private sealed class ScriptedPyPi(Func<string, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        public PyPiAirflowReleases Client => new(new HandlerClientFactory(this), new Uri("https://pypi.org/"));

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.Equal("pypi.org", request.RequestUri!.Host);
            lock (Requests) Requests.Add(request);
            return Task.FromResult(answer(request.RequestUri.AbsolutePath));
        }
    }
}
