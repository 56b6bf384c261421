using FastGate.Core.Tls;

namespace FastGate.Core.Auth;

/// <summary>
/// API Connect's tls-cert application authentication: the request's client certificate must belong to a
/// registered application subscribed to the API, and carry its client id when the API asks for one.
/// </summary>
internal static class TlsCertAuthenticator
{
    public static AuthOutcome Authenticate(AuthPolicy policy, string apiName, ClientIdentity? identity,
        ReadOnlySpan<byte> clientIdValue, bool clientIdPresent, ApplicationRegistry registry, out Application? application)
    {
        application = null;
        if (identity is null)
        {
            return AuthOutcome.NoCertificate;
        }
        application = registry.Find(identity.Fingerprint);
        if (application is null)
        {
            return AuthOutcome.UnknownCertificate;
        }
        if (!application.Subscriptions.Contains(apiName))
        {
            return AuthOutcome.NotSubscribed;
        }
        if (policy.ClientIdHeader is not null)
        {
            if (!clientIdPresent)
            {
                return AuthOutcome.MissingClientId;
            }
            if (!clientIdValue.SequenceEqual(application.ClientIdBytes))
            {
                return AuthOutcome.WrongClientId;
            }
        }
        return AuthOutcome.Allowed;
    }
}
