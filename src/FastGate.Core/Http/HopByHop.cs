namespace FastGate.Core.Http;

internal static class HopByHop
{
    /// <summary>Connection-specific fields (RFC 9110 §7.6.1) that a proxy never forwards; Transfer-Encoding is handled by the relay.</summary>
    public static bool IsHopByHop(KnownHeader known) => known is KnownHeader.Connection or KnownHeader.KeepAlive
        or KnownHeader.ProxyConnection or KnownHeader.TE or KnownHeader.Upgrade;
}
