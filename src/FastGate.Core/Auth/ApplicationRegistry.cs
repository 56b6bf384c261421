namespace FastGate.Core.Auth;

/// <summary>Applications by the SHA-256 fingerprint of each of their certificates. Immutable; thread-safe.</summary>
internal sealed class ApplicationRegistry(IReadOnlyDictionary<string, Application> byFingerprint)
{
    public static ApplicationRegistry Empty { get; } = new(new Dictionary<string, Application>());

    public int Count => byFingerprint.Count;

    /// <param name="fingerprint">Upper-case hex SHA-256 of the certificate's DER bytes.</param>
    public Application? Find(string fingerprint) => byFingerprint.GetValueOrDefault(fingerprint);
}
