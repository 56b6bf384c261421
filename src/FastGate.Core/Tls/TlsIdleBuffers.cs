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
    /// The SSL handle of an authenticated stream, looked up once per connection (the field does not change after
    /// the handshake); null when releasing is unavailable or the stream has no handle yet.
    /// </summary>
    public static SafeHandle? HandleOf(SslStream stream) =>
        Unavailable is null && SecurityContextField!.GetValue(stream) is SafeHandle { IsInvalid: false } handle ? handle : null;

    /// <summary>
    /// Frees the idle buffers of a connection with no read or write in progress (OpenSSL keeps buffers that still
    /// hold data). Returns true when OpenSSL released them; false for a null or closed handle.
    /// </summary>
    public static bool Release(SafeHandle? handle)
    {
        if (handle is null || handle.IsClosed)
        {
            return false;
        }
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return FreeBuffers(handle.DangerousGetHandle()) == 1;
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

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "not Linux";
        }
        // .NET can be told to load another libssl; an SSL* must never go to a different library than its own.
        if (Environment.GetEnvironmentVariable("CLR_OPENSSL_VERSION_OVERRIDE") is { Length: > 0 } version && version != "3")
        {
            return $"CLR_OPENSSL_VERSION_OVERRIDE={version}: .NET does not use libssl.so.3";
        }
        if (SecurityContextField is null || !typeof(SafeHandle).IsAssignableFrom(SecurityContextField.FieldType))
        {
            return "this .NET runtime's SslStream has no SSL handle field";
        }
        if (!NativeLibrary.TryLoad("libssl.so.3", out var libssl) || !NativeLibrary.TryGetExport(libssl, "SSL_free_buffers", out _))
        {
            return "libssl.so.3 with SSL_free_buffers is not available";
        }
        return null;
    }

    // The libssl .NET itself loads on OpenSSL 3 systems (it probes libssl.so.3 first).
    [DllImport("libssl.so.3", EntryPoint = "SSL_free_buffers")]
    private static extern int FreeBuffers(IntPtr ssl);
}
