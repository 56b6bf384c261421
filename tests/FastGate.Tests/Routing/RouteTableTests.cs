using System.Text;
using FastGate.Core.Routing;

namespace FastGate.Tests.Routing;

public sealed class RouteTableTests
{
    private static readonly RouteTable<string> Table = new(
    [
        ([], "/", "root"),
        ([], "/api", "api"),
        ([], "/api/v2/", "api-v2"),
        (["shop.example.com"], "/api", "shop-api"),
        (["*.example.com"], "/", "wild-root"),
        (["*.example.com"], "/billing", "wild-billing"),
    ]);

    private static string? Match(string host, string path) => Table.Match(Encoding.ASCII.GetBytes(host), Encoding.ASCII.GetBytes(path));

    [Theory]
    [InlineData("any.test", "/", "root")]
    [InlineData("any.test", "/apix", "root")]
    [InlineData("any.test", "/api", "api")]
    [InlineData("any.test", "/api/", "api")]
    [InlineData("any.test", "/api/v1/users", "api")]
    [InlineData("any.test", "/api/v2", "api-v2")]
    [InlineData("any.test", "/api/v2/x", "api-v2")]
    [InlineData("any.test", "/API", "root")]
    [InlineData("shop.example.com", "/api/x", "shop-api")]
    [InlineData("SHOP.example.com:8443", "/api", "shop-api")]
    [InlineData("shop.example.com", "/other", "wild-root")]
    [InlineData("blog.example.com", "/billing/1", "wild-billing")]
    [InlineData("a.blog.example.com", "/billing/1", "root")]
    [InlineData("example.com", "/billing", "root")]
    [InlineData("[::1]:8443", "/api", "api")]
    [InlineData("", "/api", "api")]
    public void Match_HostThenLongestListenPathOnSegmentBoundary(string host, string path, string expected)
    {
        Assert.Equal(expected, Match(host, path));
    }

    [Fact]
    public void Match_NoRouteForHostAndNoHostlessRoutes_ReturnsNull()
    {
        var table = new RouteTable<string>([(["a.test"], "/x", "x")]);
        Assert.Null(table.Match("b.test"u8, "/x"u8));
        Assert.Null(table.Match("a.test"u8, "/y"u8));
        Assert.Equal("x", table.Match("a.test"u8, "/x/1"u8));
    }
}
