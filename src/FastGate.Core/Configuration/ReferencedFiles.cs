namespace FastGate.Core.Configuration;

internal static class ReferencedFiles
{
    /// <summary>The configuration file and every certificate, key, truststore, CRL and application file it names (absolute paths).</summary>
    public static List<string> Of(LoadedConfig loaded)
    {
        var config = loaded.Config;
        var files = new List<string> { loaded.FilePath };
        void Add(string? path)
        {
            if (!string.IsNullOrEmpty(path))
            {
                files.Add(loaded.ResolvePath(path));
            }
        }
        foreach (var keystore in config.Keystores.Values)
        {
            Add(keystore.Certificate);
            Add(keystore.PrivateKey);
            Add(keystore.Pfx);
            if (keystore.KubernetesSecret is { } secret)
            {
                // Kubernetes swaps secrets through a "..data" symlink; the files' content is what counts.
                Add(Path.Combine(secret, "tls.crt"));
                Add(Path.Combine(secret, "tls.key"));
            }
        }
        foreach (var truststore in config.Truststores.Values)
        {
            truststore.Certificates.ForEach(Add);
            truststore.Crls.ForEach(Add);
        }
        foreach (var application in config.Applications.Values)
        {
            application.Certificates.ForEach(Add);
        }
        return files;
    }
}
