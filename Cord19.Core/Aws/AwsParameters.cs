namespace Cord19.Core.Aws;

/// <summary>
/// The form fields of one Query-protocol call, in botocore's flattening: lists as Name.&lt;member&gt;.N, structures
/// as Name.Field. The member name is the one the model gives the list (e.g. Redshift's Tags.Tag.1.Key, IAM's
/// Tags.member.1.Key); the contract tests check every field against the models.
/// </summary>
public sealed class AwsParameters
{
    private readonly List<KeyValuePair<string, string>> _pairs = [];

    public IReadOnlyList<KeyValuePair<string, string>> Pairs => _pairs;

    public AwsParameters Add(string name, string? value)
    {
        if (value is not null) _pairs.Add(new(name, value));
        return this;
    }

    public AwsParameters Add(string name, int? value) => Add(name, value?.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public AwsParameters Add(string name, bool? value) => Add(name, value is null ? null : value.Value ? "true" : "false");

    public AwsParameters List(string name, string member, IEnumerable<string> values)
    {
        var i = 0;
        foreach (var value in values) _pairs.Add(new($"{name}.{member}.{++i}", value));
        return this;
    }

    public AwsParameters Tags(string name, string member, IReadOnlyDictionary<string, string> tags)
    {
        var i = 0;
        foreach (var (key, value) in tags)
        {
            i++;
            _pairs.Add(new($"{name}.{member}.{i}.Key", key));
            _pairs.Add(new($"{name}.{member}.{i}.Value", value));
        }
        return this;
    }
}
