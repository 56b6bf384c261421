using System.Net;
using System.Text;

namespace FastGate.Core.Auth;

/// <summary>An API's authentication, compiled once. Immutable.</summary>
internal sealed class AuthPolicy
{
    public static AuthPolicy None { get; } = new(AuthType.None, null, null, []);

    public AuthPolicy(AuthType type, string? clientIdHeader, string? certificateHeader, IReadOnlyList<IPNetwork> trustedSources)
    {
        Type = type;
        ClientIdHeader = clientIdHeader is null ? null : Encoding.ASCII.GetBytes(clientIdHeader);
        CertificateHeader = certificateHeader is null ? null : Encoding.ASCII.GetBytes(certificateHeader);
        TrustedSources = trustedSources;
    }

    public AuthType Type { get; }

    /// <summary>The header that must carry the application's client id, or null.</summary>
    public byte[]? ClientIdHeader { get; }

    /// <summary>The load balancer's certificate header, or null.</summary>
    public byte[]? CertificateHeader { get; }

    public IReadOnlyList<IPNetwork> TrustedSources { get; }

    /// <summary>Whether a certificate header from <paramref name="remote"/> may be believed.</summary>
    public bool IsTrustedSource(IPAddress? remote)
    {
        if (remote is null)
        {
            return false;
        }
        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }
        foreach (var network in TrustedSources)
        {
            if (network.Contains(remote))
            {
                return true;
            }
        }
        return false;
    }
}
