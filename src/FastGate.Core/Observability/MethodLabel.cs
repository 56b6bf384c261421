namespace FastGate.Core.Observability;

/// <summary>Method labels for metrics: a fixed set, so a client cannot blow up label cardinality.</summary>
internal static class MethodLabel
{
    public static readonly string[] Names = ["OTHER", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"];
}
