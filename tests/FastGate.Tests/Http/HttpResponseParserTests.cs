using System.Buffers;
using System.Text;
using FastGate.Core.Http;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Http;

public sealed class HttpResponseParserTests
{
    private static (bool Ok, HttpRejection Rejection, HttpResponseHead Head) Parse(string raw, HttpMethodKind method = HttpMethodKind.Get, int segment = 0)
    {
        var bytes = Encoding.ASCII.GetBytes(raw);
        var head = new HttpResponseHead();
        var input = segment > 0 ? Segments.Split(bytes, segment) : new ReadOnlySequence<byte>(bytes);
        var ok = HttpResponseParser.TryParse(input, head, method, HttpParserLimits.Default, out var rejection);
        return (ok, rejection, head);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void TryParse_Typical_StatusFramingKeepAlive(int segment)
    {
        var (ok, rejection, head) = Parse("HTTP/1.1 201 Created\r\nContent-Length: 10\r\nX-A: b\r\n\r\n0123456789", segment: segment);
        Assert.True(ok, rejection.ToString());
        Assert.Equal(201, head.StatusCode);
        Assert.Equal("HTTP/1.1 201 Created", Encoding.ASCII.GetString(head.StatusLine));
        Assert.Equal(BodyFraming.ContentLength, head.Framing);
        Assert.Equal(10, head.ContentLength);
        Assert.True(head.KeepAlive);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", HttpMethodKind.Get, BodyFraming.CloseDelimited, false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", HttpMethodKind.Head, BodyFraming.None, true)]
    [InlineData("HTTP/1.1 204 No Content\r\n\r\n", HttpMethodKind.Get, BodyFraming.None, true)]
    [InlineData("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", HttpMethodKind.Get, BodyFraming.None, true)]
    [InlineData("HTTP/1.1 100 Continue\r\n\r\n", HttpMethodKind.Post, BodyFraming.None, true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", HttpMethodKind.Get, BodyFraming.Chunked, true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", HttpMethodKind.Get, BodyFraming.CloseDelimited, false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", HttpMethodKind.Get, BodyFraming.None, false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n", HttpMethodKind.Get, BodyFraming.ContentLength, false)]
    [InlineData("HTTP/1.1 200\r\nContent-Length: 3\r\n\r\n", HttpMethodKind.Get, BodyFraming.ContentLength, true)]
    public void TryParse_Framing_PerRfc9112(string raw, object method, object framing, bool keepAlive)
    {
        var (ok, rejection, head) = Parse(raw, (HttpMethodKind)method);
        Assert.True(ok, rejection.ToString());
        Assert.Equal((BodyFraming)framing, head.Framing);
        Assert.Equal(keepAlive, head.KeepAlive);
    }

    [Theory]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n")]
    [InlineData("HTTX/1.1 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\nContent-Length: 3\r\n\r\n")]
    public void TryParse_Invalid_Rejected(string raw)
    {
        var (ok, rejection, _) = Parse(raw);
        Assert.False(ok);
        Assert.NotEqual(HttpRejection.None, rejection);
    }
}
