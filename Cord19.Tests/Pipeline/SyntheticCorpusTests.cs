using Cord19.Core.Pipeline;
using Cord19.Pipeline.Corpora;
using Cord19.Tests.Support;

namespace Cord19.Tests.Pipeline;

public sealed class SyntheticCorpusTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    /// <summary>Forty real-looking abstracts on two subjects that share no content words.</summary>
    private string TwoSubjects()
    {
        var path = _dir.File("sources.csv.gz");
        using var file = new CorpusFile(path);
        string[] vaccine = ["Vaccine trials measured antibody titres in volunteers.", "The mRNA vaccine induced neutralising antibodies.",
            "Booster doses raised antibody responses after vaccination.", "Adverse events after vaccination were mild and transient."];
        string[] masks = ["Face masks reduced aerosol transmission in classrooms.", "Mask wearing lowered droplet spread in hospitals.",
            "Respirators filtered airborne particles better than cloth masks.", "Ventilation and masks together cut indoor spread."];
        for (var i = 0; i < 40; i++)
        {
            var subject = i % 2 == 0 ? vaccine : masks;
            var text = string.Join(" ", subject.Skip(i % 3).Concat(subject.Take(i % 3))) + $" This is the study number {i} of the series.";
            file.Write(new PaperRecord($"real-{i}", $"Study {i}", text, "2020-05-01", "Doe, J", "Journal", null));
        }
        return path;
    }

    private static List<string> Abstracts(string path) => new MetadataCsvReader(path).Read().Select(p => p.Abstract!).ToList();

    private static bool Mixed(string text) =>
        (text.Contains("vaccin", StringComparison.OrdinalIgnoreCase) || text.Contains("antibod", StringComparison.OrdinalIgnoreCase))
        && (text.Contains("mask", StringComparison.OrdinalIgnoreCase) || text.Contains("aerosol", StringComparison.OrdinalIgnoreCase) || text.Contains("ventilation", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void Documents_built_from_neighbours_keep_one_subject_while_random_sentences_mix_them()
    {
        var sources = TwoSubjects();
        var near = _dir.File("near.csv.gz");
        var random = _dir.File("random.csv.gz");

        Assert.Equal(500, SyntheticCorpus.Generate([sources], 500, near, seed: 1, SyntheticCorpus.Mix.Neighbours, _ => { }));
        SyntheticCorpus.Generate([sources], 500, random, seed: 1, SyntheticCorpus.Mix.Random, _ => { });

        var nearMixed = Abstracts(near).Count(Mixed);
        var randomMixed = Abstracts(random).Count(Mixed);
        Assert.Equal(0, nearMixed);
        Assert.True(randomMixed > 300, $"random sentences should mix the subjects in most documents ({randomMixed} of 500)");
        // Every document is new text made of real sentences, under an id that says it is synthetic.
        var papers = new MetadataCsvReader(near).Read().ToList();
        Assert.All(papers, p => Assert.StartsWith("syn-", p.Id));
        Assert.True(papers.Select(p => p.Abstract).Distinct().Count() > 400);
    }

    [Fact]
    public void The_same_seed_gives_the_same_corpus()
    {
        var sources = TwoSubjects();
        SyntheticCorpus.Generate([sources], 50, _dir.File("a.csv"), seed: 3, SyntheticCorpus.Mix.Neighbours, _ => { });
        SyntheticCorpus.Generate([sources], 50, _dir.File("b.csv"), seed: 3, SyntheticCorpus.Mix.Neighbours, _ => { });
        Assert.Equal(File.ReadAllText(_dir.File("a.csv")), File.ReadAllText(_dir.File("b.csv")));
    }

    public void Dispose() => _dir.Dispose();
}
