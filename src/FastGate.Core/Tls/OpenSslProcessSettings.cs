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

    /// <summary>
    /// Applies <paramref name="sessions"/>; returns a sentence for the start-up log, and whether it says the setting
    /// could not be applied (a warning).
    /// </summary>
    public static (string Description, bool NotApplied) Apply(TlsSessionsConfig sessions)
    {
        // .NET reads the cache size from its own copy of the environment, at its first TLS use.
        if (Environment.GetEnvironmentVariable(CacheSizeVariable) is null)
        {
            Environment.SetEnvironmentVariable(CacheSizeVariable, sessions.CacheSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (Environment.GetEnvironmentVariable(OpenSslConfVariable) is { Length: > 0 } operatorFile)
        {
            return ($"TLS sessions: OPENSSL_CONF={operatorFile} is set, so OpenSSL's session settings are left to that file", false);
        }
        if (sessions.StatelessTickets)
        {
            return ($"TLS sessions: stateless tickets (OpenSSL's default), session cache {sessions.CacheSize} per certificate", false);
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
                return ("TLS sessions: could not set OPENSSL_CONF; OpenSSL's stateless tickets stay on", true);
            }
            // The first cryptographic call initialises OpenSSL, which loads the file now, before it is deleted.
            SHA256.HashData(ReadOnlySpan<byte>.Empty);
            _ = UnsetEnv(OpenSslConfVariable); // already read; failure only leaves it visible to child processes (none)
        }
        finally
        {
            File.Delete(file);
        }
        // OpenSSL reads its configuration at its first use in the process: if anything used it before this method
        // (a hash, a certificate), the file above was never read. A new context shows what every context will get.
        return TicketsOffInNewContexts() switch
        {
            true => ($"TLS sessions: resumed from the server-side session cache ({sessions.CacheSize} per certificate), no stateless tickets", false),
            false => ("TLS sessions: tls_sessions.stateless_tickets is false, but OpenSSL had started before FastGate could configure it, so "
                + "it still issues stateless tickets (sessions still resume, with a ticket decode each)", true),
            null => ($"TLS sessions: resumed from the server-side session cache ({sessions.CacheSize} per certificate), no stateless tickets "
                + "(not checked: .NET's libssl is not libssl.so.3)", false),
        };
    }

    /// <summary>
    /// Whether a TLS context made now has OpenSSL's "no session tickets" option, i.e. the process-wide settings took
    /// effect; null when .NET's OpenSSL is not the libssl.so.3 this can ask.
    /// </summary>
    internal static bool? TicketsOffInNewContexts()
    {
        if (DotnetOpenSsl.OtherVersion is not null
            || !DotnetOpenSsl.Exports("libssl.so.3", "TLS_server_method", "SSL_CTX_new", "SSL_CTX_get_options", "SSL_CTX_free"))
        {
            return null;
        }
        var context = NewContext(ServerMethod());
        if (context == IntPtr.Zero)
        {
            return null;
        }
        try
        {
            return (ContextOptions(context) & NoTicketOption) != 0;
        }
        finally
        {
            FreeContext(context);
        }
    }

    // openssl/ssl.h (OpenSSL 3): SSL_OP_NO_TICKET is bit 14 of the 64-bit options.
    private const ulong NoTicketOption = 1UL << 14;

    [DllImport("libssl.so.3", EntryPoint = "TLS_server_method")]
    private static extern IntPtr ServerMethod();

    [DllImport("libssl.so.3", EntryPoint = "SSL_CTX_new")]
    private static extern IntPtr NewContext(IntPtr method);

    [DllImport("libssl.so.3", EntryPoint = "SSL_CTX_get_options")]
    private static extern ulong ContextOptions(IntPtr context);

    [DllImport("libssl.so.3", EntryPoint = "SSL_CTX_free")]
    private static extern void FreeContext(IntPtr context);

    // DllImport rather than LibraryImport: the project allows no unsafe code, and these calls are not hot.
    [DllImport("libc.so.6", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc.so.6", EntryPoint = "unsetenv")]
    private static extern int UnsetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
