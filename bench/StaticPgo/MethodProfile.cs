namespace FastGate.StaticPgo;

/// <summary>One method's counts from the runtime's PGO dump: its name as the runtime printed it, its IL size and the
/// block and edge counters (type and method histograms are left out: NativeAOT devirtualizes from the whole program).</summary>
internal sealed record MethodProfile(string Name, int IlSize, IReadOnlyList<PgoRecord> Records);
