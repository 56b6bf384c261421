namespace FastGate.Core.Routing;

/// <summary>One API's claim on a listen path, as compiled into the route table.</summary>
internal sealed class RouteEntry<T>(byte[] listenPath, T api) where T : class
{
    /// <summary>Normalised: no trailing slash, "/" for the root.</summary>
    public byte[] ListenPath { get; } = listenPath;
    public T Api { get; } = api;

    /// <summary>Prefix match on a path-segment boundary: "/users" takes "/users" and "/users/1", not "/usersx".</summary>
    public bool Matches(ReadOnlySpan<byte> path)
    {
        var prefix = ListenPath;
        if (prefix.Length == 1)
        {
            return true; // "/" takes everything
        }
        return path.StartsWith(prefix) && (path.Length == prefix.Length || path[prefix.Length] == (byte)'/');
    }
}
