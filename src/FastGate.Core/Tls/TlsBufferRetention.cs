namespace FastGate.Core.Tls;

/// <summary>
/// Which idle TLS connections keep OpenSSL's record buffers (and their memory BIOs') instead of giving them back
/// (<see cref="TlsIdleBuffers"/>): a busy one — its last request came within <see cref="BusyGap"/> of the response
/// before — while fewer than <see cref="MaxConnections"/> connections keep theirs. Freeing ~34 KiB per connection at
/// every idle moment and allocating it again for the next record cost 3.3% of FastGate's CPU per small proxied
/// request (bench/ab.sh, 2026-12-02); nginx and HAProxy pay the same with SSL_MODE_RELEASE_BUFFERS. A connection
/// used once, or quiet for longer than the gap, still gives its buffers back at once (the idle-memory figure), and
/// the budget caps what busy connections hold: 512 × ~34 KiB ≈ 17 MiB. Thread-safe.
/// </summary>
internal static class TlsBufferRetention
{
    public const int MaxConnections = 512;

    /// <summary>Milliseconds (<see cref="Environment.TickCount64"/>, ~4 ms steps: plenty for a 50 ms gap).</summary>
    public const long BusyGap = 50;

    private static int s_kept;

    /// <summary>Connections keeping their buffers now (for tests and diagnostics).</summary>
    public static int Kept => Volatile.Read(ref s_kept);

    /// <summary>Claims a place in the budget; false when it is full.</summary>
    public static bool TryClaim()
    {
        if (Interlocked.Increment(ref s_kept) <= MaxConnections)
        {
            return true;
        }
        Interlocked.Decrement(ref s_kept);
        return false;
    }

    public static void Free() => Interlocked.Decrement(ref s_kept);
}
