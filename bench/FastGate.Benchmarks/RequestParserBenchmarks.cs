using System.Buffers;
using BenchmarkDotNet.Attributes;
using FastGate.Core.Http;

namespace FastGate.Benchmarks;

/// <summary>Request-head parsing (Http module): the first step of every request.</summary>
[MemoryDiagnoser]
public class RequestParserBenchmarks
{
    private readonly HttpRequestHead _head = new();
    private ReadOnlySequence<byte> _tiny;
    private ReadOnlySequence<byte> _apiPost;
    private ReadOnlySequence<byte> _apiPostSplit;

    [GlobalSetup]
    public void Setup()
    {
        _tiny = new ReadOnlySequence<byte>(RequestHeads.TinyGet);
        _apiPost = new ReadOnlySequence<byte>(RequestHeads.ApiPost);
        _apiPostSplit = SegmentedSequence.Create(RequestHeads.ApiPost, 512);
    }

    [Benchmark(Baseline = true)]
    public bool TinyGet() => HttpRequestParser.TryParse(_tiny, _head, HttpParserLimits.Default, out _);

    [Benchmark]
    public bool ApiPost20Headers() => HttpRequestParser.TryParse(_apiPost, _head, HttpParserLimits.Default, out _);

    [Benchmark]
    public bool ApiPostSplitAcross512ByteSegments() => HttpRequestParser.TryParse(_apiPostSplit, _head, HttpParserLimits.Default, out _);

    /// <summary>
    /// A slow client's head: the 20-header POST arriving 64 bytes at a time, parsed again (on the same head, as the
    /// connection does) at every arrival until it is whole. What an attacker trickling a head makes FastGate spend.
    /// </summary>
    [Benchmark]
    public bool ApiPostArrivingIn64ByteSteps()
    {
        var whole = _apiPost;
        for (var length = 64L; ; length += 64)
        {
            if (HttpRequestParser.TryParse(whole.Slice(0, Math.Min(length, whole.Length)), _head, HttpParserLimits.Default, out _) || length >= whole.Length)
            {
                return true;
            }
        }
    }
}
