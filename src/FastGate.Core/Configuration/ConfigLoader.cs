using System.Text.Json;

namespace FastGate.Core.Configuration;

/// <summary>Reads and validates a configuration file; every problem is reported with file, JSON path and reason.</summary>
internal static class ConfigLoader
{
    /// <exception cref="ConfigException">The file is missing, not valid JSON, or fails validation.</exception>
    public static LoadedConfig Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        string json;
        try
        {
            json = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(fullPath, "$", $"cannot read the file: {e.Message}")]);
        }
        var loaded = Parse(json, fullPath);
        var errors = ConfigValidator.Validate(loaded);
        if (errors.Count > 0)
        {
            throw new ConfigException(errors);
        }
        return loaded;
    }

    public static LoadedConfig Parse(string json, string fullPath)
    {
        GatewayConfig? config;
        try
        {
            config = JsonSerializer.Deserialize(json, ConfigJsonContext.Default.GatewayConfig);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            throw new ConfigException([new ConfigError(fullPath, e.Path ?? "$", FirstSentence(e.Message) + where)]);
        }
        if (config is null)
        {
            throw new ConfigException([new ConfigError(fullPath, "$", "the file holds null, not a configuration object")]);
        }
        return new LoadedConfig(fullPath, Path.GetDirectoryName(fullPath)!, config);
    }

    // System.Text.Json appends "Path: $.x | LineNumber: ..." which we report in our own words.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
