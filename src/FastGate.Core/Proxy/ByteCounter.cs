namespace FastGate.Core.Proxy;

/// <summary>Bytes a relay copied (a class, because async methods cannot take ref parameters). Not thread-safe.</summary>
internal sealed class ByteCounter
{
    public long Bytes;
}
