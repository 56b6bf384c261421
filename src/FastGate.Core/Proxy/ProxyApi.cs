using FastGate.Core.Upstream;

namespace FastGate.Core.Proxy;

/// <summary>An API definition compiled for forwarding: its upstream endpoint and the rewrite bytes, built once.</summary>
internal sealed class ProxyApi(string name, string targetUrl, UpstreamEndpoint endpoint, int stripPrefixLength, byte[] targetBasePath, byte[] upstreamHost)
{
    public string Name { get; } = name;
    public string TargetUrl { get; } = targetUrl;
    public UpstreamEndpoint Endpoint { get; } = endpoint;
    public int StripPrefixLength { get; } = stripPrefixLength;
    public byte[] TargetBasePath { get; } = targetBasePath;

    /// <summary>The Host value to send upstream; empty to forward the client's.</summary>
    public byte[] UpstreamHost { get; } = upstreamHost;
}
