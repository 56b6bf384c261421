namespace FastGate.Core.Auth;

internal enum AuthType : byte
{
    None,

    /// <summary>API Connect's application authentication with source tls-cert.</summary>
    TlsCert,
}
