using System.Runtime.InteropServices;

namespace FastGate.Core.Tls;

/// <summary>
/// What one TLS connection needs to give its buffers back while idle (<see cref="TlsIdleBuffers"/>): the SSL handle
/// of its SslStream, and where its two memory BIOs keep their buffers (OpenSSL BUF_MEM structs), looked up at the
/// first release and replaced when a buffer is given back, so the check made each time the connection goes idle
/// reads memory instead of calling into OpenSSL. Default (no handle): a plain connection, or release unavailable.
/// Belongs to one connection; a mutable struct kept in a field of its owner.
/// </summary>
internal struct TlsConnectionBuffers
{
    /// <summary>The BIO is not a memory BIO whose buffer FastGate may free.</summary>
    public static readonly IntPtr NotMemory = -1;

    public SafeHandle? Ssl;

    /// <summary>BUF_MEM of the read BIO; zero until looked up.</summary>
    public IntPtr Read;

    /// <summary>BUF_MEM of the write BIO; zero until looked up.</summary>
    public IntPtr Write;

    /// <summary>When the connection last went idle (<see cref="Environment.TickCount64"/> ms); 0 while it is in use.</summary>
    public long IdleSince;

    /// <summary>Its last request came within <see cref="TlsBufferRetention.BusyGap"/> of the one before.</summary>
    public bool Busy;

    /// <summary>It holds a place in <see cref="TlsBufferRetention"/>'s budget: its buffers stay while it is idle.</summary>
    public bool Kept;

    /// <summary>The connection waits (no read or write in flight): OpenSSL's and the memory BIOs' buffers go back.</summary>
    public bool Release() => TlsIdleBuffers.Release(ref this);

    /// <summary>
    /// The connection goes idle (no read or write in flight): a busy one keeps its buffers while the budget allows,
    /// any other gives them back. <paramref name="afterResponse"/>: the wait follows a response, so the time until
    /// the next request tells whether the peer is busy (the wait for a connection's first request, which follows the
    /// handshake at once, does not).
    /// </summary>
    public void OnIdle(long now, bool afterResponse = true)
    {
        IdleSince = afterResponse ? now : 0;
        if (Ssl is null)
        {
            return;
        }
        if (Busy)
        {
            Kept = Kept || TlsBufferRetention.TryClaim();
            if (Kept)
            {
                return; // the buffers stay for the next request
            }
        }
        Forget();
        Release();
    }

    /// <summary>The connection is in use again: busy when it was idle for less than the gap.</summary>
    public void OnActive(long now)
    {
        if (IdleSince != 0)
        {
            Busy = now - IdleSince < TlsBufferRetention.BusyGap;
            IdleSince = 0;
        }
    }

    /// <summary>Gives buffers kept by an idle connection back once it has been idle since before <paramref name="before"/>.</summary>
    public void ReleaseIfIdleSince(long before)
    {
        if (Kept && IdleSince != 0 && IdleSince < before)
        {
            Forget();
            Busy = false;
            Release();
        }
    }

    /// <summary>Leaves the budget (the connection ends, or gives its buffers back).</summary>
    public void Forget()
    {
        if (Kept)
        {
            Kept = false;
            TlsBufferRetention.Free();
        }
    }
}
