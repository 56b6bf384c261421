namespace FastGate.Core.Http;

/// <summary>Size limits the head parsers enforce. Defaults match nginx's large_client_header_buffers (8 KiB line, 32 KiB head).</summary>
internal sealed class HttpParserLimits
{
    public static readonly HttpParserLimits Default = new();

    public int MaxRequestLineBytes { get; init; } = 8 * 1024;
    public int MaxHeadBytes { get; init; } = 32 * 1024;
    public int MaxHeaderCount { get; init; } = 100;
}
