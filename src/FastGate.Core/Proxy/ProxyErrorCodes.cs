namespace FastGate.Core.Proxy;

internal static class ProxyErrorCodes
{
    /// <summary>Short, stable codes for logs and metrics (Envoy's response flags where one exists).</summary>
    public static string ToCode(ProxyError error) => error switch
    {
        ProxyError.UpstreamConnectFailure => "UF",
        ProxyError.UpstreamTlsFailure => "UTLS",
        ProxyError.UpstreamTimeout => "UT",
        ProxyError.PoolOverflow => "UO",
        ProxyError.UpstreamProtocolError => "UPE",
        _ => "-",
    };
}
