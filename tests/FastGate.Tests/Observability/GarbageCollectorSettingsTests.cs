using FastGate.Core.Observability;

namespace FastGate.Tests.Observability;

public class GarbageCollectorSettingsTests
{
    [Fact]
    public void Describe_NamesTheGen0CapWhenTheRuntimeHasOne()
    {
        // The runtime reports GCGen0MaxBudget in bytes once the binary's hex setting (200000) has been read.
        var settings = new Dictionary<string, object> { ["ServerGC"] = false, ["ConcurrentGC"] = false, ["GCGen0MaxBudget"] = 2097152L };
        Assert.Equal("GC: workstation, background collections off, gen0 budget at most 2 MiB (GCGen0MaxBudget)",
            GarbageCollectorSettings.Describe(settings));
    }

    [Fact]
    public void Describe_SaysTheRuntimeSizesGen0WithoutACap()
    {
        var settings = new Dictionary<string, object> { ["ServerGC"] = true, ["ConcurrentGC"] = true, ["GCGen0MaxBudget"] = 0L };
        Assert.Equal("GC: server, background collections on, gen0 budget sized by the runtime from the CPU cache (no GCGen0MaxBudget)",
            GarbageCollectorSettings.Describe(settings));
        Assert.EndsWith("(no GCGen0MaxBudget)", GarbageCollectorSettings.Describe(new Dictionary<string, object>()));
    }

    [Fact]
    public void Describe_ReadsThisProcess()
    {
        // The test host runs without the binary's cap, so its own sentence must say what its GC really does.
        var expectedKind = System.Runtime.GCSettings.IsServerGC ? "server" : "workstation";
        Assert.StartsWith($"GC: {expectedKind}, background collections ", GarbageCollectorSettings.Describe());
    }
}
