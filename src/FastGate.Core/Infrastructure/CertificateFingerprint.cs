using System.Buffers;

namespace FastGate.Core.Infrastructure;

internal static class CertificateFingerprint
{
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789ABCDEF");

    /// <summary>"AB:CD:..." or "abcd..." → "ABCD..."; null when not 64 hex digits (SHA-256).</summary>
    public static string? NormalizeSha256(string text)
    {
        var hex = text.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        return hex.Length == 64 && !hex.AsSpan().ContainsAnyExcept(HexDigits) ? hex : null;
    }
}
