using System.Runtime.InteropServices;

namespace FastGate.Core.Tls;

/// <summary>
/// Which OpenSSL .NET runs on, for FastGate's own calls into it (<see cref="TlsIdleBuffers"/>,
/// <see cref="OpenSslProcessSettings"/>): they name libssl.so.3 and libcrypto.so.3, the libraries .NET loads on
/// OpenSSL 3 systems, and must never hand an object to a different library than the one that made it.
/// </summary>
internal static class DotnetOpenSsl
{
    /// <summary>The OpenSSL version CLR_OPENSSL_VERSION_OVERRIDE makes .NET load instead of 3; null when it loads 3.</summary>
    public static string? OtherVersion =>
        Environment.GetEnvironmentVariable("CLR_OPENSSL_VERSION_OVERRIDE") is { Length: > 0 } version && version != "3" ? version : null;

    /// <summary>Whether <paramref name="library"/> loads and exports every one of <paramref name="functions"/> (start-up only).</summary>
    public static bool Exports(string library, params string[] functions)
    {
        if (!NativeLibrary.TryLoad(library, out var handle))
        {
            return false;
        }
        foreach (var function in functions)
        {
            if (!NativeLibrary.TryGetExport(handle, function, out _))
            {
                return false;
            }
        }
        return true;
    }
}
