using System.Buffers;
using BenchmarkDotNet.Attributes;
using FastGate.Core.Http;

namespace FastGate.Benchmarks;

/// <summary>Writing the upstream head from the arrived bytes (Http module).</summary>
[MemoryDiagnoser]
public class HeadRewriteBenchmarks
{
    private readonly HttpRequestHead _tiny = new();
    private readonly HttpRequestHead _apiPost = new();
    private readonly ArrayBufferWriter<byte> _output = new(8192);
    private RequestRewrite _rewrite;

    [GlobalSetup]
    public void Setup()
    {
        HttpRequestParser.TryParse(new ReadOnlySequence<byte>(RequestHeads.TinyGet), _tiny, HttpParserLimits.Default, out _);
        HttpRequestParser.TryParse(new ReadOnlySequence<byte>(RequestHeads.ApiPost), _apiPost, HttpParserLimits.Default, out _);
        _rewrite = new RequestRewrite
        {
            StripPrefixLength = 4,
            TargetBasePath = "/backend"u8.ToArray(),
            UpstreamHost = "orders.internal:8443"u8.ToArray(),
            ClientAddress = "203.0.113.10"u8.ToArray(),
            ClientScheme = "https"u8.ToArray(),
        };
    }

    [Benchmark(Baseline = true)]
    public int TinyGet()
    {
        _output.ResetWrittenCount();
        RequestHeadWriter.Write(_output, _tiny, _rewrite);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int ApiPost20Headers()
    {
        _output.ResetWrittenCount();
        RequestHeadWriter.Write(_output, _apiPost, _rewrite);
        return _output.WrittenCount;
    }
}
