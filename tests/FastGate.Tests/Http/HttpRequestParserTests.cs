using System.Buffers;
using System.Text;
using FastGate.Core.Http;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Http;

public sealed class HttpRequestParserTests
{
    private const string Typical =
        "POST /api/v1/orders?id=7&x=y HTTP/1.1\r\nHost: api.example.com:8443\r\nContent-Type: application/json\r\n" +
        "Content-Length: 12\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nAccept:   */*  \r\n\r\n";

    private static (bool Ok, HttpRejection Rejection, HttpRequestHead Head) Parse(string raw, HttpParserLimits? limits = null) =>
        Parse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(raw)), limits);

    private static (bool Ok, HttpRejection Rejection, HttpRequestHead Head) Parse(ReadOnlySequence<byte> input, HttpParserLimits? limits = null)
    {
        var head = new HttpRequestHead();
        var ok = HttpRequestParser.TryParse(input, head, limits ?? HttpParserLimits.Default, out var rejection);
        return (ok, rejection, head);
    }

    [Fact]
    public void TryParse_TypicalPost_ExtractsEverything()
    {
        var (ok, rejection, head) = Parse(Typical + "{\"a\":12345}");
        Assert.True(ok, rejection.ToString());
        Assert.Equal(HttpMethodKind.Post, head.Method);
        Assert.Equal("/api/v1/orders", Encoding.ASCII.GetString(head.Path));
        Assert.Equal("?id=7&x=y", Encoding.ASCII.GetString(head.Query));
        Assert.Equal("api.example.com:8443", Encoding.ASCII.GetString(head.Authority));
        Assert.Equal(HttpVersionKind.Http11, head.Version);
        Assert.Equal(BodyFraming.ContentLength, head.Framing);
        Assert.Equal(12, head.ContentLength);
        Assert.True(head.KeepAlive);
        Assert.Equal(Typical.Length, head.ConsumedLength);
        Assert.Equal(6, head.HeaderCount);
        Assert.True(head.IsNominatedByConnection("x-hop"u8));
        Assert.False(head.IsNominatedByConnection("accept"u8));
        var accept = head.Headers[5];
        Assert.Equal("*/*", Encoding.ASCII.GetString(head.ValueOf(accept)));
        Assert.Equal("Accept:   */*  \r\n", Encoding.ASCII.GetString(head.LineOf(accept)));
    }

    [Fact]
    public void TryParse_EveryStrictPrefix_NeedsMoreDataAndNeverRejects()
    {
        var bytes = Encoding.ASCII.GetBytes(Typical);
        for (var length = 0; length < bytes.Length; length++)
        {
            var (ok, rejection, _) = Parse(new ReadOnlySequence<byte>(bytes, 0, length));
            Assert.False(ok, $"prefix of {length} bytes parsed");
            Assert.Equal(HttpRejection.None, rejection);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    public void TryParse_SplitIntoSegments_SameResultAsOnePiece(int segmentSize)
    {
        var bytes = Encoding.ASCII.GetBytes(Typical + "{\"a\":12345}");
        var whole = Parse(new ReadOnlySequence<byte>(bytes));
        var split = Parse(Segments.Split(bytes, segmentSize));
        Assert.True(split.Ok, split.Rejection.ToString());
        Assert.Equal(whole.Head.ConsumedLength, split.Head.ConsumedLength);
        Assert.Equal(whole.Head.Span.ToArray(), split.Head.Span.ToArray());
        Assert.Equal(whole.Head.HeaderCount, split.Head.HeaderCount);
        Assert.Equal(whole.Head.ContentLength, split.Head.ContentLength);
    }

    [Fact]
    public void TryParse_LeadingEmptyLine_IsIgnored()
    {
        var (ok, _, head) = Parse("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.True(ok);
        Assert.Equal(HttpMethodKind.Get, head.Method);
        Assert.Equal(29, head.ConsumedLength);
    }

    [Theory]
    [InlineData("GET / HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true)]
    public void TryParse_KeepAlive_FollowsVersionAndConnection(string raw, bool keepAlive)
    {
        var (ok, _, head) = Parse(raw);
        Assert.True(ok);
        Assert.Equal(keepAlive, head.KeepAlive);
    }

    [Theory]
    [InlineData("GET http://Example.com:81/p/q?z=1 HTTP/1.1\r\nHost: example.com:81\r\n\r\n", "Example.com:81", "/p/q", "?z=1")]
    [InlineData("GET https://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n", "example.com", "", "")]
    [InlineData("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", "a", "*", "")]
    public void TryParse_TargetForms_AuthorityPathQuery(string raw, string authority, string path, string query)
    {
        var (ok, rejection, head) = Parse(raw);
        Assert.True(ok, rejection.ToString());
        Assert.Equal(authority, Encoding.ASCII.GetString(head.Authority));
        Assert.Equal(path, Encoding.ASCII.GetString(head.Path));
        Assert.Equal(query, Encoding.ASCII.GetString(head.Query));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", BodyFraming.Chunked)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", BodyFraming.Chunked)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", BodyFraming.Chunked)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", BodyFraming.None)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", BodyFraming.ContentLength)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n", BodyFraming.ContentLength)]
    public void TryParse_Framing_Decided(string raw, object framing)
    {
        var (ok, rejection, head) = Parse(raw);
        Assert.True(ok, rejection.ToString());
        Assert.Equal((BodyFraming)framing, head.Framing);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", HttpRejection.MissingHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", HttpRejection.MultipleHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", HttpRejection.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", HttpRejection.InvalidContentLength)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", HttpRejection.InvalidContentLength)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", HttpRejection.InvalidContentLength)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", HttpRejection.InvalidContentLength)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", HttpRejection.ContentLengthAndTransferEncoding)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", HttpRejection.InvalidTransferEncoding)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", HttpRejection.InvalidTransferEncoding)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", HttpRejection.InvalidTransferEncoding)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", HttpRejection.UnsupportedTransferEncoding)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,\r\n\r\n", HttpRejection.InvalidTransferEncoding)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked,\r\n\r\n", HttpRejection.InvalidTransferEncoding)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip,,chunked\r\n\r\n", HttpRejection.InvalidTransferEncoding)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", HttpRejection.InvalidTransferEncoding)]
    [InlineData("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", HttpRejection.TransferEncodingInHttp10)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n", HttpRejection.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n: y\r\n\r\n", HttpRejection.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", HttpRejection.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", HttpRejection.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", HttpRejection.ObsoleteLineFolding)]
    [InlineData("GET / HTTP/1.1\nHost: a\r\n\r\n", HttpRejection.BareLineFeed)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\n\r\n", HttpRejection.BareLineFeed)]
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n", HttpRejection.UnsupportedVersion)]
    [InlineData("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", HttpRejection.InvalidRequestLine)]
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", HttpRejection.InvalidRequestLine)]
    [InlineData("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", HttpRejection.InvalidRequestLine)]
    [InlineData("G@T / HTTP/1.1\r\nHost: a\r\n\r\n", HttpRejection.InvalidMethod)]
    [InlineData("GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", HttpRejection.InvalidTarget)]
    [InlineData("GET * HTTP/1.1\r\nHost: a\r\n\r\n", HttpRejection.InvalidTarget)]
    [InlineData("CONNECT a.com:443 HTTP/1.1\r\nHost: a.com\r\n\r\n", HttpRejection.ConnectNotAllowed)]
    [InlineData("CONNECT / HTTP/1.1\r\nHost: a.com\r\n\r\n", HttpRejection.ConnectNotAllowed)]
    [InlineData("GET http://a.com/ HTTP/1.1\r\nHost: b.com\r\n\r\n", HttpRejection.HostDisagreesWithTarget)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", HttpRejection.UnsupportedVersion)]
    [InlineData("GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", HttpRejection.InvalidTarget)]
    [InlineData("GET http://user@a.com/ HTTP/1.1\r\nHost: a.com\r\n\r\n", HttpRejection.InvalidTarget)]
    public void TryParse_InvalidInput_Rejected(string raw, object expected)
    {
        var (ok, rejection, _) = Parse(raw);
        Assert.False(ok);
        Assert.Equal((HttpRejection)expected, rejection);
    }

    [Fact]
    public void TryParse_RequestLineOverLimit_Gets414WithoutWaitingForTheEnd()
    {
        var limits = new HttpParserLimits { MaxRequestLineBytes = 256, MaxHeadBytes = 1024 };
        var (ok, rejection, _) = Parse("GET /" + new string('a', 300), limits);
        Assert.False(ok);
        Assert.Equal(HttpRejection.RequestLineTooLong, rejection);
        Assert.Equal(414, HttpRejectionStatus.ToStatusCode(rejection));
    }

    [Fact]
    public void TryParse_HeadOverLimit_Gets431()
    {
        var limits = new HttpParserLimits { MaxRequestLineBytes = 256, MaxHeadBytes = 1024 };
        var (ok, rejection, _) = Parse("GET / HTTP/1.1\r\nHost: a\r\nX: " + new string('a', 2000), limits);
        Assert.False(ok);
        Assert.Equal(HttpRejection.HeadTooLarge, rejection);
        Assert.Equal(431, HttpRejectionStatus.ToStatusCode(rejection));
    }

    [Fact]
    public void TryParse_TooManyHeaders_Gets431()
    {
        var limits = new HttpParserLimits { MaxHeaderCount = 3 };
        var (ok, rejection, _) = Parse("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits);
        Assert.False(ok);
        Assert.Equal(HttpRejection.TooManyHeaders, rejection);
    }

    [Fact]
    public void TryParse_ReusedHead_HoldsNothingFromThePreviousRequest()
    {
        var head = new HttpRequestHead();
        Assert.True(HttpRequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(Typical)), head, HttpParserLimits.Default, out _));
        Assert.True(HttpRequestParser.TryParse(new ReadOnlySequence<byte>("GET / HTTP/1.1\r\nHost: b\r\n\r\n"u8.ToArray()), head, HttpParserLimits.Default, out _));
        Assert.Equal(1, head.HeaderCount);
        Assert.Equal(-1, head.ContentLength);
        Assert.Equal(0, head.ConnectionTokenCount);
        Assert.Equal(BodyFraming.None, head.Framing);
    }
}
