namespace FastGate.Core.Observability;

/// <summary>
/// The start-up log's sentence about the garbage collector the process actually runs with: the binary embeds a cap on
/// the first generation's budget (src/FastGate/FastGate.csproj), and an operator's DOTNET_ variable may override it,
/// so what resident memory to expect is read back from the runtime, not assumed.
/// </summary>
internal static class GarbageCollectorSettings
{
    public static string Describe() => Describe(GC.GetConfigurationVariables());

    public static string Describe(IReadOnlyDictionary<string, object> settings)
    {
        var kind = Flag(settings, "ServerGC") ? "server" : "workstation";
        var background = Flag(settings, "ConcurrentGC") ? "on" : "off";
        // The runtime reports the cap in bytes (0: none); the binary's setting is hex, as the runtime reads it.
        var cap = settings.TryGetValue("GCGen0MaxBudget", out var value) ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var budget = cap > 0
            ? $"at most {cap / (1024.0 * 1024.0):0.##} MiB (GCGen0MaxBudget)"
            : "sized by the runtime from the CPU cache (no GCGen0MaxBudget)";
        return $"GC: {kind}, background collections {background}, gen0 budget {budget}";
    }

    private static bool Flag(IReadOnlyDictionary<string, object> settings, string name) =>
        settings.TryGetValue(name, out var value) && value is true;
}
