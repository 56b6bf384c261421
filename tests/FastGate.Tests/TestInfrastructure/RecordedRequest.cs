namespace FastGate.Tests.TestInfrastructure;

/// <summary>A request as the test upstream received it: the raw head and the raw body bytes (chunked framing included).</summary>
public sealed record RecordedRequest(int ConnectionId, string Head, byte[] RawBody, byte[] DecodedBody, string? ClientCertificateSubject = null)
{
    public string RequestLine => Head[..Head.IndexOf("\r\n", StringComparison.Ordinal)];
    public string Target => RequestLine.Split(' ')[1];

    public string? Header(string name)
    {
        foreach (var line in Head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }
        return null;
    }

    public IEnumerable<string> HeaderNames => Head.Split("\r\n").Skip(1).Where(l => l.Contains(':')).Select(l => l[..l.IndexOf(':')]);
}
