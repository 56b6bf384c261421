using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FastGate.Core.Configuration;

namespace FastGate.Core.Tls;

/// <summary>
/// The TLS session settings .NET gives no per-connection switch for, applied through OpenSSL's own configuration
/// mechanism: OpenSSL reads OPENSSL_CONF once, when the process first uses it, and applies its "system_default"
/// section to every SSL context. So this runs once at start, before any certificate is loaded.
/// Measured (bench/results/e2e-2026-11-25T*.md): stateless tickets cost two ticket encryptions per full handshake
/// and a ticket decode (d2i_SSL_SESSION, ~250 µs with OpenSSL 3.0) per resumed one.
/// </summary>
internal static class OpenSslProcessSettings
{
    private const string OpenSslConfVariable = "OPENSSL_CONF";
    private const string CacheSizeVariable = "DOTNET_SYSTEM_NET_SECURITY_TLSCACHESIZE";

    /// <summary>Applies <paramref name="sessions"/>; returns a sentence for the start-up log.</summary>
    public static string Apply(TlsSessionsConfig sessions)
    {
        // .NET reads the cache size from its own copy of the environment, at its first TLS use.
        if (Environment.GetEnvironmentVariable(CacheSizeVariable) is null)
        {
            Environment.SetEnvironmentVariable(CacheSizeVariable, sessions.CacheSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (Environment.GetEnvironmentVariable(OpenSslConfVariable) is { Length: > 0 } operatorFile)
        {
            return $"TLS sessions: OPENSSL_CONF={operatorFile} is set, so OpenSSL's session settings are left to that file";
        }
        if (sessions.StatelessTickets)
        {
            return $"TLS sessions: stateless tickets (OpenSSL's default), session cache {sessions.CacheSize} per certificate";
        }

        var file = Path.Combine(Path.GetTempPath(), $"fastgate-openssl-{Environment.ProcessId}.cnf");
        File.WriteAllText(file, """
            # Written by FastGate at start (tls_sessions.stateless_tickets = false); read once by OpenSSL, then deleted.
            openssl_conf = fastgate_init
            [fastgate_init]
            ssl_conf = fastgate_ssl
            [fastgate_ssl]
            system_default = fastgate_ssl_defaults
            [fastgate_ssl_defaults]
            Options = -SessionTicket
            """);
        try
        {
            // Environment.SetEnvironmentVariable only changes .NET's copy; OpenSSL calls getenv.
            if (SetEnv(OpenSslConfVariable, file, 1) != 0)
            {
                return "TLS sessions: could not set OPENSSL_CONF; OpenSSL's stateless tickets stay on";
            }
            // The first cryptographic call initialises OpenSSL, which loads the file now, before it is deleted.
            SHA256.HashData(ReadOnlySpan<byte>.Empty);
            _ = UnsetEnv(OpenSslConfVariable); // already read; failure only leaves it visible to child processes (none)
        }
        finally
        {
            File.Delete(file);
        }
        return $"TLS sessions: resumed from the server-side session cache ({sessions.CacheSize} per certificate), no stateless tickets";
    }

    // DllImport rather than LibraryImport: the project allows no unsafe code, and these two calls are not hot.
    [DllImport("libc.so.6", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc.so.6", EntryPoint = "unsetenv")]
    private static extern int UnsetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
