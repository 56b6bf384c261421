using System.Buffers;
using System.Text;
using FastGate.Core.Http;
using FastGate.Tests.TestInfrastructure;
using FsCheck;
using FsCheck.Fluent;

namespace FastGate.Tests.Http;

/// <summary>
/// Properties checked by FsCheck over generated input: any valid request split into any TCP segments parses as in
/// one piece, and arbitrary bytes only ever give a defined outcome (a request, "need more", or a 4xx/5xx reason).
/// </summary>
public sealed class ParserPropertyTests
{
    private static readonly Config Checks = Config.QuickThrowOnFailure.WithMaxTest(500);

    private static readonly Gen<string> Token = Gen.Elements("a", "X-Id", "Accept", "x-b_c", "Cache-Control", "If-None-Match", "T~k!");
    private static readonly Gen<string> Value = Gen.Elements("", "1", "text/html, */*", "a b  c", "\"quoted\"", "é", "x\ty", "%00");
    private static readonly Gen<string> Path = Gen.Elements("/", "/a", "/api/v1/users/42", "/a?b=c&d=%20", "/%7Euser/..;x", "*");

    /// <summary>A valid request: method, target, version, a Host, some headers, and matching framing.</summary>
    private static readonly Gen<string> ValidRequest =
        from method in Gen.Elements("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "CUSTOM")
        from path in Path
        from headers in ListOf(Gen.Zip(Token, Value), 0, 8)
        from body in Gen.Elements("", "hello", "{\"a\":1}")
        from chunked in Gen.Elements(false, true)
        let target = path == "*" && method != "OPTIONS" ? "/" : path
        let framing = body.Length == 0 ? "" : chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {body.Length}\r\n"
        let head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: api.example.com\r\n")
        select head.Append(string.Concat(headers.Select(h => $"{h.Item1}: {h.Item2}\r\n"))).Append(framing).Append("\r\n").ToString()
               + (chunked && body.Length > 0 ? $"{body.Length:x}\r\n{body}\r\n0\r\n\r\n" : body);

    private static Gen<List<T>> ListOf<T>(Gen<T> item, int min, int max) =>
        from count in Gen.Choose(min, max)
        from items in Gen.ListOf(item, count)
        select items.ToList();

    private static (bool Ok, HttpRejection Rejection, byte[] Head, int Consumed, long Length, BodyFraming Framing) Parse(ReadOnlySequence<byte> input)
    {
        var head = new HttpRequestHead();
        var ok = HttpRequestParser.TryParse(input, head, HttpParserLimits.Default, out var rejection);
        return (ok, rejection, ok ? head.Span.ToArray() : [], head.ConsumedLength, head.ContentLength, head.Framing);
    }

    [Fact]
    public void ValidRequest_AnySegmentation_ParsesLikeOnePiece()
    {
        var cases = from request in ValidRequest
                    from cuts in ListOf(Gen.Choose(1, 64), 1, 20)
                    select (Request: request, Cuts: cuts.ToArray());
        var runs = 0;
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            runs++;
            var bytes = Encoding.Latin1.GetBytes(c.Request);
            var whole = Parse(new ReadOnlySequence<byte>(bytes));
            Assert.True(whole.Ok, $"{whole.Rejection}: {c.Request}");
            var split = Parse(Split(bytes, c.Cuts));
            Assert.True(split.Ok);
            Assert.Equal(whole.Head, split.Head);
            Assert.Equal(whole.Consumed, split.Consumed);
            Assert.Equal(whole.Length, split.Length);
            Assert.Equal(whole.Framing, split.Framing);
        }).Check(Checks);
        Assert.Equal(500, runs);
    }

    [Fact]
    public void ValidRequest_EveryPrefix_NeedsMoreData()
    {
        Prop.ForAll(ValidRequest.ToArbitrary(), request =>
        {
            var bytes = Encoding.Latin1.GetBytes(request);
            var headLength = Parse(new ReadOnlySequence<byte>(bytes)).Consumed;
            for (var length = 0; length < headLength; length++)
            {
                var prefix = Parse(new ReadOnlySequence<byte>(bytes, 0, length));
                Assert.False(prefix.Ok);
                Assert.Equal(HttpRejection.None, prefix.Rejection);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(100));
    }

    [Fact]
    public void RandomBytes_OnlyDefinedOutcomes()
    {
        var bytes = Gen.ArrayOf(Gen.Elements<byte>(
            (byte)'G', (byte)'E', (byte)'T', (byte)' ', (byte)'/', (byte)'\r', (byte)'\n', (byte)':', (byte)'H', (byte)'o', (byte)'s',
            (byte)'t', (byte)'1', (byte)'.', (byte)'P', (byte)'\t', 0, 0x7F, 0xC3, (byte)','));
        var withPrefix = from tail in bytes
                         from prefix in Gen.Elements("", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: a\r\n", "POST /x HTTP/1.0\r\n")
                         select Encoding.Latin1.GetBytes(prefix).Concat(tail).ToArray();
        Prop.ForAll(withPrefix.ToArbitrary(), input =>
        {
            var result = Parse(new ReadOnlySequence<byte>(input));
            if (result.Rejection != HttpRejection.None)
            {
                var status = HttpRejectionStatus.ToStatusCode(result.Rejection);
                Assert.InRange(status, 400, 505);
            }
            // Same outcome whatever the segmentation: no state leaks between segments.
            var split = Parse(Segments.Split(input.Length == 0 ? [] : input, 3));
            Assert.Equal(result.Ok, split.Ok);
            Assert.Equal(result.Rejection, split.Rejection);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    [Fact]
    public void ParsingInOnePass_GivesTheLineByLineScansAnswer()
    {
        // The parsers read the header fields as they find the lines; the line-by-line scan checks every line first.
        // Their answers must be the same: "need more" and the scan's rejection wherever the scan gives them (a bare LF,
        // too many lines, a head too large), and for a head the scan finds whole, that head or a parse fault of its own.
        var limits = new HttpParserLimits { MaxHeaderCount = 3, MaxRequestLineBytes = 40, MaxHeadBytes = 120 };
        var tails = Gen.ArrayOf(Gen.Elements<byte>(
            (byte)'\r', (byte)'\n', (byte)'\r', (byte)'\n', (byte)':', (byte)' ', (byte)'a', (byte)'B', (byte)'1', (byte)'\t', 0, (byte)','));
        var inputs = from prefix in Gen.Elements("", "\r\n", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: a\r\n", "HTTP/1.1 200 OK\r\nA: 1\r\n")
                     from tail in Gen.OneOf(tails, Gen.Elements("", "B: 1\r\n", "a:b\r\nc:  d \r\n").Select(Encoding.Latin1.GetBytes))
                     from end in Gen.Elements("", "\r\n\r\n", "\r\n")
                     select Encoding.Latin1.GetBytes(prefix).Concat(tail).Concat(Encoding.Latin1.GetBytes(end)).ToArray();
        var (waits, refusedByTheScan, whole) = (0, 0, 0);
        Prop.ForAll(inputs.ToArbitrary(), input =>
        {
            foreach (var isRequest in new[] { true, false })
            {
                var scan = HttpHeadScanner.TryLocateHeadLineByLine(input, false, limits, isRequest, out _, out var headEnd, out _, out var scanRejection);
                HttpMessageHead head = isRequest ? new HttpRequestHead() : new HttpResponseHead();
                var parsed = isRequest
                    ? HttpRequestParser.TryParse(new ReadOnlySequence<byte>(input), (HttpRequestHead)head, limits, out var rejection)
                    : HttpResponseParser.TryParse(new ReadOnlySequence<byte>(input), (HttpResponseHead)head, HttpMethodKind.Get, limits, out rejection);
                if (!scan)
                {
                    Assert.False(parsed);
                    Assert.Equal(scanRejection, rejection);
                    _ = scanRejection == HttpRejection.None ? waits++ : refusedByTheScan++;
                }
                else if (parsed)
                {
                    Assert.Equal(headEnd, head.ConsumedLength);
                    Assert.Equal(input.AsSpan(headEnd - head.Span.Length, head.Span.Length).ToArray(), head.Span.ToArray());
                    whole++;
                }
                else
                {
                    Assert.NotEqual(HttpRejection.None, rejection);
                }
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(3000));
        Assert.True(waits > 100 && refusedByTheScan > 100 && whole > 100,
            $"{waits} waits, {refusedByTheScan} refused by the scan, {whole} whole heads: the cases were not exercised");
    }

    [Fact]
    public void AHeadArrivingPieceByPiece_GetsTheAnswerAFreshParseGives()
    {
        // The connection parses the same head object again as more bytes arrive; after a "need more" it parses the
        // fields only once the blank line is there. Whatever the bytes, each arrival must get the answer a fresh
        // parse of the same bytes gives.
        var limits = new HttpParserLimits { MaxHeaderCount = 3, MaxRequestLineBytes = 40, MaxHeadBytes = 120 };
        var tails = Gen.ArrayOf(Gen.Elements<byte>(
            (byte)'\r', (byte)'\n', (byte)'\r', (byte)'\n', (byte)':', (byte)' ', (byte)'a', (byte)'B', (byte)'1', (byte)'\t', 0));
        var inputs = from prefix in Gen.Elements("GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: a\r\n", "HTTP/1.1 200 OK\r\nA: 1\r\n")
                     from tail in Gen.OneOf(tails, Gen.Elements("", "B: 1\r\n", "a:b\r\nc:  d \r\n").Select(Encoding.Latin1.GetBytes))
                     from end in Gen.Elements("", "\r\n\r\n", "\r\n\r\nbody")
                     select Encoding.Latin1.GetBytes(prefix).Concat(tail).Concat(Encoding.Latin1.GetBytes(end)).ToArray();
        var completed = 0;
        Prop.ForAll(inputs.ToArbitrary(), input =>
        {
            var request = new HttpRequestHead();
            for (var length = 1; length <= input.Length; length++)
            {
                var bytes = new ReadOnlySequence<byte>(input, 0, length);
                var again = HttpRequestParser.TryParse(bytes, request, limits, out var againRejection);
                var fresh = HttpRequestParser.TryParse(bytes, new HttpRequestHead(), limits, out var freshRejection);
                Assert.Equal((fresh, freshRejection), (again, againRejection));
                if (again || againRejection != HttpRejection.None)
                {
                    completed += again ? 1 : 0;
                    break; // the connection stops here: it forwards the head or answers
                }
            }
            var response = new HttpResponseHead();
            for (var length = 1; length <= input.Length; length++)
            {
                var bytes = new ReadOnlySequence<byte>(input, 0, length);
                var again = HttpResponseParser.TryParse(bytes, response, HttpMethodKind.Get, limits, out var againRejection);
                var fresh = HttpResponseParser.TryParse(bytes, new HttpResponseHead(), HttpMethodKind.Get, limits, out var freshRejection);
                Assert.Equal((fresh, freshRejection), (again, againRejection));
                if (again || againRejection != HttpRejection.None)
                {
                    completed += again ? 1 : 0;
                    break;
                }
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1000));
        Assert.True(completed > 100, $"{completed} heads completed: the case was not exercised");
    }

    [Fact]
    public void ChunkedBody_AnySegmentation_SameData()
    {
        var bodies = from chunks in ListOf(Gen.Choose(1, 40), 0, 8)
                     from cut in Gen.Choose(1, 17)
                     select (Chunks: chunks.ToArray(), Cut: cut);
        Prop.ForAll(bodies.ToArbitrary(), c =>
        {
            var data = new StringBuilder();
            var wire = new StringBuilder();
            var n = 0;
            foreach (var size in c.Chunks)
            {
                var chunk = new string((char)('a' + n++ % 26), size);
                data.Append(chunk);
                wire.Append($"{size:X};n={n}\r\n{chunk}\r\n");
            }
            wire.Append("0\r\nT: 1\r\n\r\n");
            var bytes = Encoding.ASCII.GetBytes(wire.ToString());
            var parser = new ChunkedBodyParser();
            var decoded = new StringBuilder();
            long offset = 0;
            var available = 0;
            while (true)
            {
                available = Math.Min(bytes.Length, available + c.Cut);
                var input = Segments.Split(bytes[(int)offset..available], 2);
                long consumed = 0;
                ChunkedPiece piece;
                do
                {
                    piece = parser.Next(input.Slice(consumed), out var length);
                    if (piece == ChunkedPiece.Data)
                    {
                        decoded.Append(Encoding.ASCII.GetString(input.Slice(consumed, length).ToArray()));
                    }
                    consumed += length;
                }
                while (piece is ChunkedPiece.Data or ChunkedPiece.Framing);
                offset += consumed;
                Assert.NotEqual(ChunkedPiece.Invalid, piece);
                if (piece == ChunkedPiece.End)
                {
                    break;
                }
                Assert.True(available < bytes.Length, "needs more data after all of it arrived");
            }
            Assert.Equal(bytes.Length, offset);
            Assert.Equal(data.ToString(), decoded.ToString());
        }).Check(Checks);
    }

    private static ReadOnlySequence<byte> Split(byte[] data, int[] cuts)
    {
        // Segments of the given sizes (cycled): one TCP segment boundary after each.
        var pieces = new List<byte[]>();
        var offset = 0;
        for (var i = 0; offset < data.Length; i++)
        {
            var size = Math.Min(cuts[i % cuts.Length], data.Length - offset);
            pieces.Add(data[offset..(offset + size)]);
            offset += size;
        }
        return Segments.FromPieces(pieces);
    }
}
