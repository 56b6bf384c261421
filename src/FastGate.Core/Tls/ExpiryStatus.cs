namespace FastGate.Core.Tls;

internal enum ExpiryStatus : byte
{
    Ok,
    Warning,
    Critical,
    Expired,
    NotYetValid,
}
