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

    /// <summary>The connection waits (no read or write in flight): OpenSSL's and the memory BIOs' buffers go back.</summary>
    public bool Release() => TlsIdleBuffers.Release(ref this);
}
