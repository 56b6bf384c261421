using System.Text.RegularExpressions;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Operations;

/// <summary>
/// tls_sessions through the real executable (OpenSSL reads the setting once per process, so it cannot be shown
/// in-process): mutual-TLS sessions resume from the server-side cache by default, or with stateless tickets, and
/// a resumed connection still carries the client's identity to the upstream.
/// </summary>
public sealed partial class TlsSessionResumptionTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MutualTlsSession_Resumes_AndKeepsTheClientIdentity(bool statelessTickets)
    {
        await using var upstream = TestUpstream.Start();
        var server = _pki.IssueServer("sessions.test", "sessions.test");
        var client = _pki.IssueClient("resuming-client");
        var port = Loopback.FreePort();
        var file = _pki.Write("sessions.json", $$"""
        {
          "keystores": { "server": { "certificate": "{{server.CertificateFile}}", "private_key": "{{server.KeyFile}}" } },
          "truststores": { "clients": { "certificates": ["{{_pki.CaFile}}"] } },
          "tls_server_profiles": { "mtls": { "keystore": "server", "client_certificate_mode": "require", "truststore": "clients" } },
          "tls_sessions": { "stateless_tickets": {{(statelessTickets ? "true" : "false")}} },
          "listeners": [ { "name": "tls", "address": "127.0.0.1:{{port}}", "tls": { "server_profile": "mtls" } } ],
          "apis": [ { "name": "a", "listen_path": "/", "target_url": "{{upstream.HttpUrl}}", "forward_client_certificate": true } ],
          "access_log": { "enabled": false },
          "reload": { "watch_files": false }
        }
        """);
        using var gateway = await GatewayProcess.StartAsync(file);
        Assert.True(gateway.HasLogged(statelessTickets ? "stateless tickets" : "server-side session cache"), gateway.OutputText);
        Assert.False(gateway.HasLogged("OpenSSL had started before FastGate could configure it"), gateway.OutputText); // verified, not assumed

        var session = Path.Combine(_pki.Directory, "session.pem");
        var first = await RequestAsync(port, client, "-sess_out", session, "/first");
        Assert.Contains("New, TLSv1.3", first);
        Assert.Contains("HTTP/1.1 200", first);

        // A stateful ticket is only the session's 32-byte ID; a stateless one carries the whole encrypted session.
        var (_, sessionText) = await ExternalTool.RunAsync("openssl", "", "sess_id", "-in", session, "-noout", "-text");
        var ticketBytes = TicketLine().Matches(sessionText.Split("TLS session ticket:")[1].Split("\n\n")[0]).Sum(m => m.Groups[1].Value.Split([' ', '-'], StringSplitOptions.RemoveEmptyEntries).Length);
        if (statelessTickets)
        {
            Assert.True(ticketBytes > 100, $"ticket of {ticketBytes} bytes:\n{sessionText}");
        }
        else
        {
            Assert.Equal(32, ticketBytes);
        }

        var resumed = await RequestAsync(port, client, "-sess_in", session, "/resumed");
        Assert.Contains("Reused, TLSv1.3", resumed);
        Assert.Contains("HTTP/1.1 200", resumed);
        await upstream.NextRequestAsync(); // /first
        var forwarded = await upstream.NextRequestAsync();
        Assert.Equal("/resumed", forwarded.Target);
        Assert.Contains("CN=resuming-client", forwarded.Header("X-Forwarded-Client-Cert") ?? "(no X-Forwarded-Client-Cert)");
    }

    private async Task<string> RequestAsync(int port, IssuedCertificate client, string sessionOption, string sessionFile, string path)
    {
        // -ign_eof keeps s_client reading until the gateway answers and closes (Connection: close).
        var (_, output) = await ExternalTool.RunAsync("openssl", $"GET {path} HTTP/1.1\r\nHost: sessions.test\r\nConnection: close\r\n\r\n",
            "s_client", "-connect", $"127.0.0.1:{port}", "-servername", "sessions.test", "-tls1_3", "-ign_eof",
            "-CAfile", _pki.CaFile, "-cert", client.CertificateFile, "-key", client.KeyFile, sessionOption, sessionFile);
        return output;
    }

    [GeneratedRegex(@"^\s*[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){1,16})", RegexOptions.Multiline)]
    private static partial Regex TicketLine();
}
