namespace FastGate.Load;

/// <summary>An expected failure of one request, by kind.</summary>
public sealed class LoadException(ErrorKind kind, string message) : Exception(message)
{
    public ErrorKind Kind { get; } = kind;
}
