namespace FastGate.Core.Proxy;

/// <summary>Holds the current snapshot. Swapped atomically on reload; readers take it once per connection. Thread-safe.</summary>
internal sealed class GatewayState(GatewaySnapshot initial)
{
    private GatewaySnapshot _current = initial;

    public GatewaySnapshot Current => Volatile.Read(ref _current);

    public void Swap(GatewaySnapshot next) => Volatile.Write(ref _current, next);
}
