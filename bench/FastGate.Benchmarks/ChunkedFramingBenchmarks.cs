using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastGate.Core.Http;

namespace FastGate.Benchmarks;

/// <summary>Walking a chunked body (Http module): 16 KiB in 1 KiB chunks, whole and split across 4 KiB segments.</summary>
[MemoryDiagnoser]
public class ChunkedFramingBenchmarks
{
    private ReadOnlySequence<byte> _body;
    private ReadOnlySequence<byte> _split;

    [GlobalSetup]
    public void Setup()
    {
        var wire = new StringBuilder();
        for (var i = 0; i < 16; i++)
        {
            wire.Append("400\r\n").Append('x', 1024).Append("\r\n");
        }
        wire.Append("0\r\n\r\n");
        var bytes = Encoding.ASCII.GetBytes(wire.ToString());
        _body = new ReadOnlySequence<byte>(bytes);
        _split = SegmentedSequence.Create(bytes, 4096);
    }

    [Benchmark(Baseline = true)]
    public long Body16KiB() => Walk(_body);

    [Benchmark]
    public long Body16KiBIn4KiBSegments() => Walk(_split);

    private static long Walk(ReadOnlySequence<byte> body)
    {
        var parser = new ChunkedBodyParser();
        long offset = 0;
        long data = 0;
        while (true)
        {
            var piece = parser.Next(body.Slice(offset), out var length);
            if (piece is ChunkedPiece.End or ChunkedPiece.NeedMoreData or ChunkedPiece.Invalid)
            {
                return data;
            }
            if (piece == ChunkedPiece.Data)
            {
                data += length;
            }
            offset += length;
        }
    }
}
