namespace FastGate.Core.Tls;

/// <summary>IBM API Connect's mutual-TLS settings of a TLS server profile.</summary>
internal enum ClientCertificateMode : byte
{
    /// <summary>No certificate is asked for.</summary>
    None,

    /// <summary>Asked for; a handshake without one succeeds without identity; an invalid one is refused.</summary>
    Request,

    /// <summary>A valid certificate is required to complete the handshake.</summary>
    Require,
}
