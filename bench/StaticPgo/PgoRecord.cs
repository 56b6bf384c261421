namespace FastGate.StaticPgo;

/// <summary>One schema entry of the runtime's instrumentation data (corjit.h's PgoInstrumentationSchema) with its
/// single counter value.</summary>
internal readonly record struct PgoRecord(int Kind, int IlOffset, int Other, long Value)
{
    // corjit.h: PgoInstrumentationKind
    public const int BasicBlockIntCount = 0x41;
    public const int BasicBlockLongCount = 0x42;
    public const int EdgeIntCount = 0x181;
    public const int EdgeLongCount = 0x182;

    public static bool IsCounter(int kind) =>
        kind is BasicBlockIntCount or BasicBlockLongCount or EdgeIntCount or EdgeLongCount;
}
