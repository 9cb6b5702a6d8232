using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cord19.Core.Pipeline;

/// <summary>Moves dense float vectors in and out of ML.NET data views, whose vector size must be known up front.</summary>
internal static class MlVectors
{
    public sealed class Row
    {
        public float[] Features { get; set; } = [];
    }

    public static IDataView Load(MLContext ml, IReadOnlyList<float[]> vectors)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, vectors[0].Length);
        return ml.Data.LoadFromEnumerable(vectors.Select(v => new Row { Features = v }), schema);
    }

    public static List<float[]> Read(IDataView view, string column) =>
        view.GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray()).ToList();
}
