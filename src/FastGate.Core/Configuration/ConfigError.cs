namespace FastGate.Core.Configuration;

/// <summary>One problem with a configuration: the file, where in it (a JSON path), and what is wrong.</summary>
internal sealed record ConfigError(string File, string JsonPath, string Message)
{
    public override string ToString() => $"{File}: {JsonPath}: {Message}";
}
