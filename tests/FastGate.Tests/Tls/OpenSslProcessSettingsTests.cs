using FastGate.Core.Tls;

namespace FastGate.Tests.Tls;

/// <summary>
/// tls_sessions.stateless_tickets=false works through OpenSSL's configuration file, which OpenSSL reads once, at its
/// first use in the process; the start-up log must say so when that moment had already passed instead of claiming the
/// setting. TlsSessionResumptionTests shows the setting taking effect in the real binary; here, the check that tells.
/// </summary>
public sealed class OpenSslProcessSettingsTests
{
    [Fact]
    public void TicketsOffInNewContexts_InAProcessWhoseOpenSslStartedWithoutTheSetting_IsFalse()
    {
        // This test process has used OpenSSL (certificates, hashes) without FastGate's configuration file, so a new
        // context still issues stateless tickets; a checker that always said "applied" would fail here.
        Assert.Null(Environment.GetEnvironmentVariable("OPENSSL_CONF"));
        System.Security.Cryptography.SHA256.HashData(ReadOnlySpan<byte>.Empty);
        Assert.Equal(false, OpenSslProcessSettings.TicketsOffInNewContexts());
    }
}
