namespace FastGate.Core.Http;

/// <summary>Header names the proxy acts on; classified once while parsing so writers never compare strings.</summary>
internal enum KnownHeader : byte
{
    None,
    Host,
    ContentLength,
    TransferEncoding,
    Connection,
    KeepAlive,
    ProxyConnection,
    TE,
    Upgrade,
    XForwardedFor,
    XForwardedProto,
    XForwardedHost,
    Expect,
    XForwardedClientCert,
}
