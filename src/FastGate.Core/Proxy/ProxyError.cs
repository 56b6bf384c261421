namespace FastGate.Core.Proxy;

/// <summary>Why a request could not be proxied. Expected outcomes are values; each maps to a status and a short code.</summary>
internal enum ProxyError : byte
{
    None,

    /// <summary>UF: connection refused, reset or closed before response headers.</summary>
    UpstreamConnectFailure,

    /// <summary>UTLS: the upstream TLS handshake failed.</summary>
    UpstreamTlsFailure,

    /// <summary>UT: no response head within the API's timeout.</summary>
    UpstreamTimeout,

    /// <summary>UO: the endpoint's pool is at its maximum.</summary>
    PoolOverflow,

    /// <summary>UPE: the upstream's response head was malformed or ambiguous.</summary>
    UpstreamProtocolError,
}
