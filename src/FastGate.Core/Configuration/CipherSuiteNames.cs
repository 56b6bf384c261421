using System.Net.Security;

namespace FastGate.Core.Configuration;

internal static class CipherSuiteNames
{
    public static bool IsKnown(string name) => Enum.TryParse<TlsCipherSuite>(name, ignoreCase: false, out var suite)
        && Enum.IsDefined(suite) && name.StartsWith("TLS_", StringComparison.Ordinal);

    /// <summary>The modern suites worth suggesting in an error (TLS 1.3 and ECDHE with AEAD).</summary>
    public static string Suggested()
    {
        var names = new List<string>();
        foreach (var name in Enum.GetNames<TlsCipherSuite>())
        {
            if (name.StartsWith("TLS_AES_", StringComparison.Ordinal) || name.StartsWith("TLS_CHACHA20_", StringComparison.Ordinal)
                || (name.StartsWith("TLS_ECDHE_", StringComparison.Ordinal) && (name.Contains("GCM", StringComparison.Ordinal) || name.Contains("CHACHA20", StringComparison.Ordinal))))
            {
                names.Add(name);
            }
        }
        return string.Join(", ", names);
    }
}
