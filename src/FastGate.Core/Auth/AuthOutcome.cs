namespace FastGate.Core.Auth;

/// <summary>The result of applying an API's authentication to a request.</summary>
internal enum AuthOutcome : byte
{
    Allowed,

    /// <summary>401: no validated client certificate on the connection (nor from a trusted load balancer).</summary>
    NoCertificate,

    /// <summary>401: the certificate belongs to no registered application.</summary>
    UnknownCertificate,

    /// <summary>401: a load balancer's certificate header could not be decoded.</summary>
    InvalidCertificateHeader,

    /// <summary>403: the application is not subscribed to this API.</summary>
    NotSubscribed,

    /// <summary>403: the client id header is missing.</summary>
    MissingClientId,

    /// <summary>403: the client id header names another application.</summary>
    WrongClientId,
}
