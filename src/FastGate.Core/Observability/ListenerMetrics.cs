namespace FastGate.Core.Observability;

/// <summary>Connections and TLS handshakes of one listener. Thread-safe.</summary>
internal sealed class ListenerMetrics(string listener)
{
    private readonly long[] _handshakeFailures = new long[Enum.GetValues<HandshakeFailureReason>().Length];
    private long _connections;
    private long _handshakes;

    public string Listener { get; } = listener;
    public long Connections => Interlocked.Read(ref _connections);
    public long Handshakes => Interlocked.Read(ref _handshakes);

    public void ConnectionAccepted() => Interlocked.Increment(ref _connections);
    public void HandshakeCompleted() => Interlocked.Increment(ref _handshakes);
    public void HandshakeFailed(HandshakeFailureReason reason) => Interlocked.Increment(ref _handshakeFailures[(int)reason]);
    public long HandshakeFailures(HandshakeFailureReason reason) => Interlocked.Read(ref _handshakeFailures[(int)reason]);
}
