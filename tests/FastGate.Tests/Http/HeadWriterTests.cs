using System.Buffers;
using System.Text;
using FastGate.Core.Http;

namespace FastGate.Tests.Http;

public sealed class HeadWriterTests
{
    private static string Rewrite(string raw, RequestRewrite rewrite)
    {
        var head = new HttpRequestHead();
        Assert.True(HttpRequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(raw)), head, HttpParserLimits.Default, out _));
        var output = new ArrayBufferWriter<byte>();
        RequestHeadWriter.Write(output, head, rewrite);
        return Encoding.ASCII.GetString(output.WrittenSpan);
    }

    private static RequestRewrite Rewrite(int strip = 0, string basePath = "", string host = "up:81") => new()
    {
        StripPrefixLength = strip,
        TargetBasePath = Encoding.ASCII.GetBytes(basePath),
        UpstreamHost = Encoding.ASCII.GetBytes(host),
        ClientAddress = "10.1.2.3"u8.ToArray(),
        ClientScheme = "https"u8.ToArray(),
    };

    [Theory]
    [InlineData("/api/users/1?x", 4, "", "/users/1?x")]
    [InlineData("/api?x", 4, "", "/?x")]
    [InlineData("/api", 4, "/v2", "/v2")]
    [InlineData("/api/", 4, "/v2", "/v2/")]
    [InlineData("/api/a", 0, "/v2", "/v2/api/a")]
    [InlineData("/", 0, "", "/")]
    public void Write_Target_StripsAndPrefixes(string target, int strip, string basePath, string expected)
    {
        var written = Rewrite($"GET {target} HTTP/1.1\r\nHost: h\r\n\r\n", Rewrite(strip, basePath));
        Assert.StartsWith($"GET {expected} HTTP/1.1\r\n", written);
    }

    [Fact]
    public void Write_Headers_OriginalLinesKeptHopByHopDroppedForwardingAdded()
    {
        var written = Rewrite("GET / HTTP/1.0\r\nHost: front.test\r\nX-Custom:  spaced value \r\nConnection: keep-alive, X-Drop\r\nX-Drop: 1\r\n" +
                              "X-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2\r\nX-Forwarded-Host: evil\r\n\r\n", Rewrite());
        Assert.Equal(
            "GET / HTTP/1.1\r\nHost: up:81\r\nX-Custom:  spaced value \r\n" +
            "X-Forwarded-For: 1.1.1.1, 2.2.2.2, 10.1.2.3\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: front.test\r\n\r\n", written);
    }

    [Fact]
    public void Write_PreserveHost_ForwardsClientHost()
    {
        var written = Rewrite("GET / HTTP/1.1\r\nHost: front.test:8443\r\n\r\n", Rewrite(host: ""));
        Assert.Contains("\r\nHost: front.test:8443\r\n", written);
    }

    [Fact]
    public void ResponseWriter_DropsHopByHopAndAddsClose()
    {
        var head = new HttpResponseHead();
        Assert.True(HttpResponseParser.TryParse(new ReadOnlySequence<byte>(
            "HTTP/1.1 200 OK\r\nConnection: X-Secret\r\nX-Secret: s\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\nServer: up\r\n\r\n"u8.ToArray()),
            head, HttpMethodKind.Get, HttpParserLimits.Default, out _));
        var output = new ArrayBufferWriter<byte>();
        ResponseHeadWriter.Write(output, head, keepAlive: false, clientIsHttp10: false, dropTransferEncoding: false);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nServer: up\r\nConnection: close\r\n\r\n", Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Theory]
    // Kept lines go out in runs of adjacent lines: every combination of a drop at the start, middle and end.
    [InlineData("A: 1\r\nB: 2\r\n", true, false, false, "A: 1\r\nB: 2\r\n\r\n")]
    [InlineData("Keep-Alive: timeout=5\r\nA: 1\r\nB: 2\r\n", true, false, false, "A: 1\r\nB: 2\r\n\r\n")]
    [InlineData("A: 1\r\nKeep-Alive: timeout=5\r\nB: 2\r\n", true, false, false, "A: 1\r\nB: 2\r\n\r\n")]
    [InlineData("A: 1\r\nB: 2\r\nKeep-Alive: timeout=5\r\n", true, false, false, "A: 1\r\nB: 2\r\n\r\n")]
    [InlineData("A: 1\r\nB: 2\r\n", true, true, false, "A: 1\r\nB: 2\r\nConnection: keep-alive\r\n\r\n")]
    [InlineData("A: 1\r\nB: 2\r\n", false, false, false, "A: 1\r\nB: 2\r\nConnection: close\r\n\r\n")]
    [InlineData("A: 1\r\nTransfer-Encoding: chunked\r\nB: 2\r\n", true, true, true, "A: 1\r\nB: 2\r\nConnection: keep-alive\r\n\r\n")]
    [InlineData("Transfer-Encoding: chunked\r\n", true, false, true, "\r\n")]
    public void ResponseWriter_KeepsTheOtherLinesInOrder(string fields, bool keepAlive, bool http10, bool dechunk, string expectedFields)
    {
        var head = new HttpResponseHead();
        Assert.True(HttpResponseParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n" + fields + "\r\n")),
            head, HttpMethodKind.Get, HttpParserLimits.Default, out _));
        var output = new ArrayBufferWriter<byte>();
        ResponseHeadWriter.Write(output, head, keepAlive, http10, dechunk);
        Assert.Equal("HTTP/1.1 200 OK\r\n" + expectedFields, Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Write_KeptLinesAroundDroppedOnes_StayInOrder_AndUpgradeKeepsItsPlace()
    {
        var rewrite = Rewrite();
        rewrite = new RequestRewrite
        {
            UpstreamHost = rewrite.UpstreamHost, ClientAddress = rewrite.ClientAddress, ClientScheme = rewrite.ClientScheme, Upgrade = true,
        };
        var written = Rewrite("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nHost: h\r\nUpgrade: websocket\r\nC: 3\r\nTE: x\r\nConnection: upgrade\r\nD: 4\r\n\r\n", rewrite);
        Assert.Equal(
            "GET / HTTP/1.1\r\nHost: up:81\r\nA: 1\r\nB: 2\r\nUpgrade: websocket\r\nC: 3\r\nD: 4\r\nConnection: upgrade\r\n" +
            "X-Forwarded-For: 10.1.2.3\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: h\r\n\r\n", written);
    }
}
