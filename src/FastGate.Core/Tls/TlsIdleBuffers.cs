using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace FastGate.Core.Tls;

/// <summary>
/// Gives OpenSSL's per-connection record buffers (a read and a write buffer of ~17 KiB each) back while a connection
/// waits for its next request, as nginx and HAProxy do with SSL_MODE_RELEASE_BUFFERS; OpenSSL allocates them again
/// for the next record. .NET neither sets that mode nor exposes the SSL handle, so the handle is read from
/// SslStream's field by reflection on a constant name (kept by the trimmer and NativeAOT). Where a runtime has no
/// such field, or .NET's OpenSSL is not libssl.so.3, <see cref="IsAvailable"/> is false and nothing is released.
/// Measured: 2,000 idle TLS connections, 43 → 28 KB of RSS each (bench/results/e2e-*.md, idle-memory).
/// The same moment also empties the two memory BIOs SslStream puts between OpenSSL and the socket: their buffers
/// only grow (to the largest record or handshake flight that passed: ~2 KiB after a handshake and a small exchange,
/// ~22 KiB after one 16 KiB response), and nginx and HAProxy, which give OpenSSL the socket itself, have no such
/// buffers. Emptying even the small ones saved 1.2–2.4 KiB per idle connection (2,000 held, 2026-12-02). Busy
/// connections, whose every request would pay to grow them all again, skip the release (<see cref="TlsBufferRetention"/>,
/// decided in <see cref="TlsConnectionBuffers"/>).
/// </summary>
internal static class TlsIdleBuffers
{
    // On Linux the field holds Microsoft.Win32.SafeHandles.SafeSslHandle (a SafeDeleteSslContext): its handle is the SSL*.
    // (NativeAOT in .NET 10 refuses an UnsafeAccessor whose field type is inaccessible, hence reflection.)
    private static readonly FieldInfo? SecurityContextField =
        typeof(SslStream).GetField("_securityContext", BindingFlags.NonPublic | BindingFlags.Instance);

    private static readonly string? Unavailable = Probe();

    /// <summary>True when buffers can be released on this runtime.</summary>
    public static bool IsAvailable => Unavailable is null;

    /// <summary>A sentence for the start-up log.</summary>
    public static string Describe() => Unavailable is null
        ? "TLS idle buffers: OpenSSL's record buffers are released while a connection waits for its next request"
        : $"TLS idle buffers: kept ({Unavailable})";

    /// <summary>
    /// A connection's buffers to release, with the SSL handle of its authenticated stream, looked up once per connection
    /// (the field does not change after the handshake); no handle when releasing is unavailable or the stream has none yet.
    /// </summary>
    public static TlsConnectionBuffers For(SslStream stream) => new()
    {
        Ssl = Unavailable is null && SecurityContextField!.GetValue(stream) is SafeHandle { IsInvalid: false } handle ? handle : null,
    };

    /// <summary>
    /// Frees the idle buffers of a connection with no read or write in progress (OpenSSL keeps buffers that still
    /// hold data), and empties the memory BIOs' buffers. Returns true when
    /// OpenSSL released its record buffers; false for a null or closed handle.
    /// </summary>
    public static bool Release(ref TlsConnectionBuffers buffers)
    {
        var handle = buffers.Ssl;
        if (handle is null || handle.IsClosed)
        {
            return false;
        }
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var ssl = handle.DangerousGetHandle();
            var released = FreeBuffers(ssl) == 1;
            ReleaseBioBuffer(ssl, ref buffers.Read, read: true);
            ReleaseBioBuffer(ssl, ref buffers.Write, read: false);
            return released;
        }
        catch (ObjectDisposedException)
        {
            return false; // closed between the check and the add-ref: nothing left to free
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>The bytes the connection's two memory BIOs hold allocated (for tests); 0 for a null or closed handle.</summary>
    internal static long BioBufferBytes(SafeHandle? handle)
    {
        if (handle is null || handle.IsClosed)
        {
            return 0;
        }
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var ssl = handle.DangerousGetHandle();
            return Capacity(BufMemOf(GetReadBio(ssl))) + Capacity(BufMemOf(GetWriteBio(ssl)));
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Swaps an empty BUF_MEM into a memory BIO that holds no unread bytes and frees the old one when it has memory
    /// allocated; the BIO grows the new one on its next write. Anything but a
    /// memory BIO that owns its buffer (BIO_CLOSE) is left alone. The old buffer is freed without OPENSSL_cleanse
    /// (which BUF_MEM_free would run over all of it: +8% CPU per 16 KiB response, callgrind): it only ever held TLS
    /// records as they went over the wire.
    /// </summary>
    private static void ReleaseBioBuffer(IntPtr ssl, ref IntPtr bufMem, bool read)
    {
        if (bufMem == IntPtr.Zero)
        {
            bufMem = BufMemOf(read ? GetReadBio(ssl) : GetWriteBio(ssl));
        }
        if (bufMem == TlsConnectionBuffers.NotMemory || Capacity(bufMem) == 0)
        {
            return; // nothing to give back: a memory read, no call into OpenSSL
        }
        var bio = read ? GetReadBio(ssl) : GetWriteBio(ssl);
        if (BioCtrl(bio, BioCtrlPending, 0, IntPtr.Zero) != 0 || BioCtrl(bio, BioCtrlGetClose, 0, IntPtr.Zero) != BioClose
            || BufMemOf(bio) != bufMem) // set by someone else than FastGate: leave it
        {
            return;
        }
        var empty = NewBufMem();
        if (empty == IntPtr.Zero)
        {
            return;
        }
        BioCtrl(bio, BioCtrlSetClose, BioNoClose, IntPtr.Zero); // the swap must not free (and cleanse) the old buffer
        BioCtrl(bio, BioSetBufMem, BioClose, empty);            // the BIO owns the new one again
        CryptoFree(Marshal.ReadIntPtr(bufMem, BufMemDataOffset), IntPtr.Zero, 0);
        CryptoFree(bufMem, IntPtr.Zero, 0);
        bufMem = empty;
    }

    /// <summary>The BUF_MEM of a memory BIO whose memory CRYPTO_free may free; <see cref="TlsConnectionBuffers.NotMemory"/> otherwise.</summary>
    private static IntPtr BufMemOf(IntPtr bio)
    {
        if (bio == IntPtr.Zero || BioMethodType(bio) != BioTypeMem || BioCtrlGetPointer(bio, BioGetBufMemPtr, 0, out var bufMem) <= 0
            || bufMem == IntPtr.Zero || (Marshal.ReadIntPtr(bufMem, BufMemFlagsOffset) & BufMemFlagSecure) != 0)
        {
            return TlsConnectionBuffers.NotMemory;
        }
        return bufMem;
    }

    private static long Capacity(IntPtr bufMem) => bufMem == TlsConnectionBuffers.NotMemory ? 0 : Marshal.ReadIntPtr(bufMem, BufMemMaxOffset);

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "not Linux";
        }
        // .NET can be told to load another libssl; an SSL* must never go to a different library than its own.
        if (DotnetOpenSsl.OtherVersion is { } version)
        {
            return $"CLR_OPENSSL_VERSION_OVERRIDE={version}: .NET does not use libssl.so.3";
        }
        if (SecurityContextField is null || !typeof(SafeHandle).IsAssignableFrom(SecurityContextField.FieldType))
        {
            return "this .NET runtime's SslStream has no SSL handle field";
        }
        if (!DotnetOpenSsl.Exports("libssl.so.3", "SSL_free_buffers", "SSL_get_rbio", "SSL_get_wbio"))
        {
            return "libssl.so.3 with SSL_free_buffers is not available";
        }
        if (!DotnetOpenSsl.Exports("libcrypto.so.3", "BIO_ctrl", "BIO_method_type", "BUF_MEM_new", "CRYPTO_free"))
        {
            return "libcrypto.so.3 with BIO_ctrl and BUF_MEM_new is not available";
        }
        return null;
    }

    // The libssl and libcrypto .NET itself loads on OpenSSL 3 systems (it probes the .so.3 names first).
    [DllImport("libssl.so.3", EntryPoint = "SSL_free_buffers")]
    private static extern int FreeBuffers(IntPtr ssl);

    [DllImport("libssl.so.3", EntryPoint = "SSL_get_rbio")]
    private static extern IntPtr GetReadBio(IntPtr ssl);

    [DllImport("libssl.so.3", EntryPoint = "SSL_get_wbio")]
    private static extern IntPtr GetWriteBio(IntPtr ssl);

    [DllImport("libcrypto.so.3", EntryPoint = "BIO_ctrl")]
    private static extern nint BioCtrl(IntPtr bio, int command, nint larg, IntPtr parg);

    [DllImport("libcrypto.so.3", EntryPoint = "BIO_ctrl")]
    private static extern nint BioCtrlGetPointer(IntPtr bio, int command, nint larg, out IntPtr parg);

    [DllImport("libcrypto.so.3", EntryPoint = "BIO_method_type")]
    private static extern int BioMethodType(IntPtr bio);

    [DllImport("libcrypto.so.3", EntryPoint = "BUF_MEM_new")]
    private static extern IntPtr NewBufMem();

    [DllImport("libcrypto.so.3", EntryPoint = "CRYPTO_free")]
    private static extern void CryptoFree(IntPtr pointer, IntPtr file, int line);

    // openssl/bio.h and buffer.h (stable across OpenSSL 3.x): BIO_TYPE_MEM = 1 | BIO_TYPE_SOURCE_SINK; BUF_MEM is
    // { size_t length; char *data; size_t max; unsigned long flags; }.
    private const int BioTypeMem = 0x0401;
    private const int BioCtrlPending = 10;
    private const int BioCtrlGetClose = 8;
    private const int BioCtrlSetClose = 9;
    private const int BioNoClose = 0;
    private const int BioSetBufMem = 114;
    private const int BioGetBufMemPtr = 115;
    private const int BioClose = 1;
    private const int BufMemDataOffset = 8;
    private const int BufMemMaxOffset = 16;
    private const int BufMemFlagsOffset = 24;
    private const nint BufMemFlagSecure = 0x01;
}
