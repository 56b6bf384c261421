namespace FastGate.Core.Upstream;

/// <summary>Why no upstream connection could be had. Expected outcomes, so values rather than exceptions.</summary>
internal enum UpstreamFailure : byte
{
    None,
    ConnectFailed,
    ConnectTimeout,
    TlsFailed,
    PoolExhausted,
}
