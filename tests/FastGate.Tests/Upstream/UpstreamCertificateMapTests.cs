using FastGate.Core.Configuration;
using FastGate.Core.Upstream;

namespace FastGate.Tests.Upstream;

public sealed class UpstreamCertificateMapTests
{
    private static UpstreamCertificateMap<string> Map(params string[] keys)
    {
        var entries = new List<(UpstreamCertificateKey, string)>();
        foreach (var key in keys)
        {
            Assert.True(UpstreamCertificateKey.TryParse(key, out var parsed, out var error), error);
            entries.Add((parsed, key));
        }
        return new UpstreamCertificateMap<string>(entries);
    }

    private static string? Find(UpstreamCertificateMap<string> map, string host, int port) =>
        map.TryFind(host, port, out var value, out _) ? value : null;

    [Theory]
    [InlineData("api.prod.example.com", 8443, "api.prod.example.com:8443")]
    [InlineData("api.prod.example.com", 443, "api.prod.example.com")]
    [InlineData("API.PROD.example.com", 443, "api.prod.example.com")]
    [InlineData("web.prod.example.com", 8443, "*.prod.example.com:8443")]
    [InlineData("web.prod.example.com", 443, "*.prod.example.com")]
    [InlineData("a.web.prod.example.com", 443, "*")]
    [InlineData("prod.example.com", 443, "*")]
    [InlineData("other.org", 80, "*")]
    public void TryFind_MostSpecificKeyWins(string host, int port, string expectedKey)
    {
        var map = Map("*", "*.prod.example.com", "*.prod.example.com:8443", "api.prod.example.com", "api.prod.example.com:8443");
        Assert.True(map.TryFind(host, port, out var value, out var matched));
        Assert.Equal(expectedKey, value);
        Assert.Equal(expectedKey, matched);
    }

    [Fact]
    public void TryFind_PortKeyOnly_DoesNotMatchOtherPorts()
    {
        var map = Map("svc.test:8443");
        Assert.Equal("svc.test:8443", Find(map, "svc.test", 8443));
        Assert.Null(Find(map, "svc.test", 443));
    }

    [Fact]
    public void TryFind_NoDefault_NoMatch()
    {
        Assert.Null(Find(Map("a.test"), "b.test", 443));
        Assert.Null(Find(UpstreamCertificateMap<string>.Empty, "b.test", 443));
    }

    [Theory]
    [InlineData("https://api.example.com", "write 'api.example.com'")]
    [InlineData("api.example.com:0", "not a port")]
    [InlineData("api.example.com:99999", "not a port")]
    [InlineData("*.*.example.com", "not a host name")]
    [InlineData("a b", "not a host name")]
    public void TryParse_BadKeys_ExplainWhy(string key, string reason)
    {
        Assert.False(UpstreamCertificateKey.TryParse(key, out _, out var error));
        Assert.Contains(reason, error);
    }
}
