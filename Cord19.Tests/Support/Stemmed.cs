using Cord19.Core.Results;

namespace Cord19.Tests.Support;

/// <summary>Documents written as stems, numbered as a corpus holds them.</summary>
public static class Stemmed
{
    public static (StemTable Stems, int[][] Documents) Of(IEnumerable<IEnumerable<string>> documents)
    {
        var stems = new StemTable();
        return (stems, documents.Select(d => d.Select(stems.IdOf).ToArray()).ToArray());
    }
}
