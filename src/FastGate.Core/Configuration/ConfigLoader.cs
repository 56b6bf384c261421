using System.Text.Json;

namespace FastGate.Core.Configuration;

/// <summary>Reads and validates a configuration file; every problem is reported with file, JSON path and reason.</summary>
internal static class ConfigLoader
{
    /// <exception cref="ConfigException">The file is missing, not valid JSON, or fails validation.</exception>
    public static LoadedConfig Load(string path) => Load(path, out _);

    /// <summary>
    /// Loads as <see cref="Load(string)"/> and gives the bytes it read (null when it could not read the file) — also
    /// when the load throws, so a watcher can wait for the file to differ from what was read, not from what is on disk
    /// by the time it looks. Nothing is hashed here: hashing would initialise OpenSSL before the start-up settings it
    /// reads once (<see cref="Tls.OpenSslProcessSettings"/>) are in place.
    /// </summary>
    /// <exception cref="ConfigException">The file is missing, not valid JSON, or fails validation.</exception>
    public static LoadedConfig Load(string path, out byte[]? content)
    {
        var fullPath = Path.GetFullPath(path);
        content = null;
        string json;
        try
        {
            content = File.ReadAllBytes(fullPath);
            using var reader = new StreamReader(new MemoryStream(content), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            json = reader.ReadToEnd(); // as File.ReadAllText decodes
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(fullPath, "$", $"cannot read the file: {e.Message}")]);
        }
        var loaded = Parse(json, fullPath) with { SourceBytes = content };
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
