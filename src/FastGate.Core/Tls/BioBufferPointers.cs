namespace FastGate.Core.Tls;

/// <summary>
/// Where a connection's two memory BIOs keep their buffers (OpenSSL BUF_MEM structs), looked up at the first
/// release and replaced when a buffer is given back, so that the check made each time a connection goes idle reads
/// memory instead of calling into OpenSSL. Zero: not looked up yet; <see cref="NotMemory"/>: not a memory BIO.
/// Belongs to one connection (reset when a pooled session starts a new one).
/// </summary>
internal struct BioBufferPointers
{
    public static readonly IntPtr NotMemory = -1;

    public IntPtr Read;
    public IntPtr Write;
}
