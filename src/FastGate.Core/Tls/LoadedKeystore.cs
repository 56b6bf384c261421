using System.Security.Cryptography.X509Certificates;

namespace FastGate.Core.Tls;

/// <summary>A certificate with its private key and the intermediates to send with it.</summary>
internal sealed record LoadedKeystore(string Name, string Source, X509Certificate2 Certificate, X509Certificate2Collection Intermediates);
