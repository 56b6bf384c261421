using FastGate.Core.Infrastructure;

namespace FastGate.Tests.Routing;

public sealed class HostNameMapTests
{
    private static readonly HostNameMap<string> Map = new(
    [
        new("api.example.com", "exact"),
        new("*.example.com", "wildcard"),
        new("*.deep.example.com", "deep-wildcard"),
    ]);

    [Theory]
    [InlineData("api.example.com", "exact")]
    [InlineData("API.EXAMPLE.COM", "exact")]
    [InlineData("api.example.com.", "exact")]
    [InlineData("www.example.com", "wildcard")]
    [InlineData("x.deep.example.com", "deep-wildcard")]
    [InlineData("deep.example.com", "wildcard")]
    [InlineData("a.b.example.com", null)]
    [InlineData("example.com", null)]
    [InlineData("", null)]
    [InlineData("other.org", null)]
    public void Find_ExactThenOneLevelWildcard(string host, string? expected)
    {
        Assert.Equal(expected, Map.Find(host.AsSpan()));
        Assert.Equal(expected, Map.Find(System.Text.Encoding.ASCII.GetBytes(host).AsSpan()));
    }
}
