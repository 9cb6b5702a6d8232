using Cord19.Core.Pipeline;
using Cord19.Core.Settings;
using Cord19.Tests.Support;

namespace Cord19.Tests.Pipeline;

public sealed class PreprocessingTests
{
    [Theory]
    [InlineData("2020-03-13", 2020, 3, 13)]
    [InlineData("2021", 2021, 1, 1)]
    [InlineData("2020-05", 2020, 5, 1)]
    [InlineData("2020-03-13T00:00:00", 2020, 3, 13)]
    public void Publish_times_of_every_release_format_parse(string text, int y, int m, int d) =>
        Assert.Equal(new DateOnly(y, m, d), PublishDate.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("13/03/2020x")]
    public void Unreadable_publish_times_are_null(string text) => Assert.Null(PublishDate.Parse(text));

    [Theory]
    [InlineData("Smith, J.; Doe, A.", "Smith, J.; Doe, A.")]
    [InlineData(" Smith, J. ;; Doe, A.; Roe, B.; Poe, C.", "Smith, J.; Doe, A.; Roe, B. et al.")]
    [InlineData("Smith, J.; Doe, A.; Roe, B.", "Smith, J.; Doe, A.; Roe, B.")]
    [InlineData(" ; ", "")]
    [InlineData("  ", null)]
    public void Authors_are_cut_to_the_first_three(string authors, string? expected) =>
        Assert.Equal(expected, Preprocessor.ShortAuthors(authors));

    private static bool IsEnglish(string text)
    {
        new Tokenizer().Tokenize([text], out var language);
        return language.IsEnglish;
    }

    [Fact]
    public void English_abstracts_pass_and_others_do_not()
    {
        Assert.True(IsEnglish("We studied the transmission of the virus in a cohort of patients, and the results were consistent with earlier reports."));
        Assert.False(IsEnglish("Se estudió la transmisión del virus en una cohorte de pacientes y los resultados fueron consistentes con los informes anteriores."));
        Assert.False(IsEnglish("Die Übertragung des Virus wurde in einer Kohorte untersucht und die Ergebnisse sind mit früheren Berichten vereinbar."));
        Assert.False(IsEnglish("COVID-19 SARS-CoV-2"));
    }

    [Fact]
    public void The_language_test_counts_words_between_whitespace()
    {
        new Tokenizer().Tokenize(["(The) SARS-CoV-2 virus, the. — ( )"], out var tally);
        // "—" is a word, "( )" is not; "SARS-CoV-2" is one word, not three; "(The)" and "the." are function words.
        Assert.Equal((5, 2, 0), (tally.Words, tally.English, tally.Other));
    }

    [Fact]
    public void The_language_test_counts_the_last_text_alone()
    {
        var tokenizer = new Tokenizer();
        tokenizer.Tokenize(["The role of the virus in the spread of the disease in the wards of the hospital and in the homes of the patients", "Se estudió la transmisión del virus en una cohorte de pacientes."], out var spanish);
        tokenizer.Tokenize(["La transmisión del virus en la cohorte de los pacientes y de las familias", "We studied the transmission of the virus in a cohort of patients."], out var english);
        Assert.False(spanish.IsEnglish);
        Assert.True(english.IsEnglish);
    }

    [Fact]
    public void Preprint_boilerplate_and_line_numbers_do_not_reach_the_tokens()
    {
        const string raw = "word count: 194 22 Text word count: 5168 23 24 25 author/funder. All rights reserved. No reuse allowed without permission. " +
                           "Abstract 27 The positive stranded RNA genomes of picornaviruses comprise a single large open reading 28 frame.";
        var cleaned = AbstractCleaner.Clean(raw);
        var tokens = new Tokenizer().Tokenize(cleaned);

        Assert.DoesNotContain("reserved", cleaned, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(tokens, t => t.Any(char.IsDigit) || t is "right" or "permiss" or "word");
        Assert.Contains("picornavirus", tokens);
    }

    [Theory]
    [InlineData("Viral load fell. © 2020 Elsevier Ltd. Masks helped.", "Elsevier")]
    [InlineData("Viral load fell. ALL RIGHTS RESERVED. Masks helped.", "RESERVED")]
    [InlineData("Viral load fell. See HTTPS://example.org/x for data. Masks helped.", "example")]
    [InlineData("Viral load fell. medRxiv preprint Masks helped.", "medRxiv")]
    public void Each_kind_of_boilerplate_is_found_whatever_its_case(string raw, string gone)
    {
        var cleaned = AbstractCleaner.Clean(raw);

        Assert.DoesNotContain(gone, cleaned, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Masks helped.", cleaned);
    }

    [Fact]
    public void Words_break_where_Unicode_word_boundaries_break_them()
    {
        var tokens = new Tokenizer().Tokenize("The patient's SARS-CoV-2 load (3.5 log) fell; U.S. inter\u00ADaction, \u202Bvirus\u202C and 板藍根 H1N1 ratio:odds");

        Assert.Equal(["patient", "sar", "cov", "load", "log", "fell", "inter\u00ADact", "virus\u202C", "h1n1", "ratio:odd"], tokens);
    }

    [Fact]
    public void Stems_are_shown_as_their_most_frequent_word()
    {
        var tokenizer = new Tokenizer();
        tokenizer.Tokenize("Infections and infection; infection rates of infected patients.");
        var surfaces = new SurfaceForms();
        tokenizer.AddSurfacesTo(surfaces);
        var surface = surfaces.MostFrequent();
        Assert.Equal("infection", surface["infect"]);
    }

    [Fact]
    public async Task Each_documents_token_numbers_stand_for_the_stems_of_its_title_and_abstract()
    {
        // The sample's rows are tokenised on every core, each thread's tokenizer numbering the stems it meets first
        // in the table they share.
        var output = await SampleCorpus.GetAsync();
        var tokenizer = new Tokenizer();

        Assert.All(output.Documents, d => Assert.Equal(tokenizer.Tokenize($"{d.Title}. {d.Abstract}"), d.Tokens.Select(t => output.Stems[t])));
    }

    [Fact]
    public void Every_skipped_row_is_counted_under_its_reason()
    {
        const string english = "We measured the spread of the new coronavirus among health workers in three hospitals, and the rates of infection were higher in the wards that treated patients with pneumonia.";
        PaperRecord Paper(string id, string? @abstract, string? published = "2020-04-01") => new(id, "A title", @abstract, published, "A, B; C, D; E, F; G, H", "J", null);
        var rows = new[]
        {
            Paper("a", english),
            Paper("a", english + " Again."),                        // same cord_uid
            Paper("b", english),                                     // same abstract, other id
            Paper("c", null),
            Paper("d", english, "2019-05-01"),
            Paper("e", english, "unknown"),
            Paper("f", "Se estudió la transmisión del virus en una cohorte de pacientes y los resultados fueron consistentes."),
            Paper("g", "The virus and the host."),
        };

        var output = new Preprocessor(new PipelineSettings()).Run(rows, "test", DateTime.UtcNow, CancellationToken.None);

        Assert.Equal("a", Assert.Single(output.Documents).Id);
        Assert.Equal("A, B; C, D; E, F et al.", output.Documents[0].Authors);
        Assert.Equal(8, output.Manifest.RowsRead);
        Assert.Equal(2, output.Manifest.Skipped[Preprocessor.SkipReasons.Duplicate]);
        Assert.Equal(1, output.Manifest.Skipped[Preprocessor.SkipReasons.NoAbstract]);
        Assert.Equal(1, output.Manifest.Skipped[Preprocessor.SkipReasons.OutsideWindow]);
        Assert.Equal(1, output.Manifest.Skipped[Preprocessor.SkipReasons.NoPublishTime]);
        Assert.Equal(1, output.Manifest.Skipped[Preprocessor.SkipReasons.NotEnglish]);
        Assert.Equal(1, output.Manifest.Skipped[Preprocessor.SkipReasons.TooShort]);
    }

    [Fact]
    public async Task The_shipped_sample_keeps_thousands_of_real_abstracts()
    {
        var output = await SampleCorpus.GetAsync();
        Assert.Equal(4992, output.Manifest.RowsRead);
        Assert.InRange(output.Documents.Count, 2000, 4082);
        Assert.Equal(output.Documents.Count, output.Documents.Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public void The_subset_is_reproducible_and_in_corpus_order()
    {
        var docs = Enumerable.Range(0, 100).Select(i => new Cord19.Core.Results.CorpusDocument($"d{i:000}", null, null, null, null, null, "", [])).ToList();
        var a = new Cord19.Core.Results.CorpusSample(10, Seed: 1).Of(docs);
        var b = new Cord19.Core.Results.CorpusSample(10, Seed: 1).Of(docs);
        var c = new Cord19.Core.Results.CorpusSample(10, Seed: 2).Of(docs);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(a.OrderBy(d => d.Id), a);
    }
}
