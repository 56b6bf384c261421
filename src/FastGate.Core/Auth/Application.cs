using System.Text;

namespace FastGate.Core.Auth;

/// <summary>A registered API consumer (API Connect's application). Immutable.</summary>
internal sealed class Application(string name, string clientId, IReadOnlySet<string> subscriptions)
{
    public string Name { get; } = name;
    public string ClientId { get; } = clientId;
    public byte[] ClientIdBytes { get; } = Encoding.UTF8.GetBytes(clientId);
    public IReadOnlySet<string> Subscriptions { get; } = subscriptions;
}
