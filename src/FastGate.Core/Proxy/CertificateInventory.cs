using FastGate.Core.Tls;

namespace FastGate.Core.Proxy;

internal static class CertificateInventory
{
    /// <summary>Every certificate a snapshot uses: server keystores, upstream client certificates, truststore CAs, application certificates.</summary>
    public static List<CertificateInUse> Of(GatewaySnapshot snapshot)
    {
        var list = new List<CertificateInUse>();
        var config = snapshot.Source.Config;
        foreach (var (name, keystore) in snapshot.Keystores)
        {
            var uses = new List<string>();
            foreach (var (profileName, profile) in config.TlsServerProfiles)
            {
                if (profile.Keystore == name)
                {
                    uses.Add($"server profile '{profileName}'");
                }
            }
            foreach (var api in snapshot.Apis)
            {
                if (api.Endpoint.ClientCertificate?.Name == name)
                {
                    uses.Add($"upstream client for API '{api.Name}'");
                }
            }
            list.Add(new CertificateInUse(keystore.Certificate, $"keystore '{name}': {(uses.Count == 0 ? "unused" : string.Join(", ", uses))}", keystore.Source));
            foreach (var intermediate in keystore.Intermediates)
            {
                list.Add(new CertificateInUse(intermediate, $"keystore '{name}' chain", keystore.Source));
            }
        }
        foreach (var truststore in snapshot.Truststores.Values)
        {
            foreach (var ca in truststore.Certificates)
            {
                list.Add(new CertificateInUse(ca, $"truststore '{truststore.Name}' CA", truststore.Name));
            }
        }
        return list;
    }
}
