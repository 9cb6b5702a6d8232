namespace Cord19.Core.Pipeline;

/// <summary>
/// A document's non-zero values by term index (ascending). An abstract uses a few dozen of the vocabulary's
/// thousands of terms, so a million documents fit in memory this way and not as dense rows.
/// </summary>
public readonly record struct SparseVector(int[] Indices, float[] Values)
{
    public int Count => Indices.Length;

    public float[] ToDense(int length)
    {
        var dense = new float[length];
        for (var i = 0; i < Indices.Length; i++) dense[Indices[i]] = Values[i];
        return dense;
    }
}
