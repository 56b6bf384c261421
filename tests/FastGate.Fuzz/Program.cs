using System.Buffers;
using FastGate.Core.Http;
using SharpFuzz;

namespace FastGate.Fuzz;

/// <summary>
/// AFL++ target (via SharpFuzz) for the request parser, the response parser and the chunked body parser.
/// Any exception is a finding: the parsers must only ever answer "request", "need more", or a rejection.
/// Run it with tests/fuzz/run-fuzz.sh.
/// </summary>
internal static class Program
{
    public static void Main()
    {
        // Instrumented code may run only inside Run: the coverage map is set up there.
        HttpRequestHead? request = null;
        HttpResponseHead? response = null;
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            Exercise(memory.ToArray(), request ??= new HttpRequestHead(), response ??= new HttpResponseHead());
        });
    }

    internal static void Exercise(byte[] bytes, HttpRequestHead request, HttpResponseHead response)
    {
        var whole = new ReadOnlySequence<byte>(bytes);
        var split = Split(bytes);
        var ok = HttpRequestParser.TryParse(whole, request, HttpParserLimits.Default, out var rejection);
        var okSplit = HttpRequestParser.TryParse(split, request, HttpParserLimits.Default, out var rejectionSplit);
        if (ok != okSplit || rejection != rejectionSplit)
        {
            throw new InvalidOperationException($"segmentation changed the outcome: {ok}/{rejection} vs {okSplit}/{rejectionSplit}");
        }
        if (ok && request.ConsumedLength > bytes.Length)
        {
            throw new InvalidOperationException("consumed more than the input");
        }
        if (ok && request.HasBody && request.Framing == BodyFraming.Chunked)
        {
            Walk(whole.Slice(request.ConsumedLength));
        }
        HttpResponseParser.TryParse(whole, response, HttpMethodKind.Get, HttpParserLimits.Default, out _);
        HttpResponseParser.TryParse(split, response, HttpMethodKind.Head, HttpParserLimits.Default, out _);
        Walk(whole);
    }

    private static void Walk(ReadOnlySequence<byte> body)
    {
        var parser = new ChunkedBodyParser();
        long offset = 0;
        while (true)
        {
            var piece = parser.Next(body.Slice(offset), out var length);
            if (piece is ChunkedPiece.NeedMoreData or ChunkedPiece.Invalid)
            {
                return;
            }
            if (length <= 0 && piece != ChunkedPiece.End)
            {
                throw new InvalidOperationException($"no progress on {piece}");
            }
            offset += length;
            if (offset > body.Length)
            {
                throw new InvalidOperationException("consumed more than the input");
            }
            if (piece == ChunkedPiece.End)
            {
                return;
            }
        }
    }

    /// <summary>The same bytes in 7-byte segments, to exercise the multi-segment paths.</summary>
    private static ReadOnlySequence<byte> Split(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        Segment first = new(bytes.AsMemory(0, Math.Min(7, bytes.Length)), 0);
        var last = first;
        for (var offset = 7; offset < bytes.Length; offset += 7)
        {
            var next = new Segment(bytes.AsMemory(offset, Math.Min(7, bytes.Length - offset)), offset);
            last.SetNext(next);
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
