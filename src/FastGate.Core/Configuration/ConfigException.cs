namespace FastGate.Core.Configuration;

/// <summary>A configuration that cannot be used, with every error found.</summary>
internal sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
