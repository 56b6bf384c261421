using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FastGate.Core.Tls;

/// <summary>Loads keystores (PEM certificate + key, or PKCS#12) and truststores (PEM bundles), failing with the file and the reason.</summary>
internal static class KeystoreLoader
{
    public static LoadedKeystore LoadPem(string name, string certificateFile, string privateKeyFile)
    {
        var chain = LoadPemCertificates(certificateFile);
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificateFile, privateKeyFile);
        }
        catch (CryptographicException e)
        {
            throw new CertificateLoadException(privateKeyFile, $"the private key cannot be used with {certificateFile}: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new CertificateLoadException(privateKeyFile, $"no PEM private key found ({e.Message})", e);
        }
        if (!certificate.HasPrivateKey)
        {
            throw new CertificateLoadException(privateKeyFile, "the file holds no private key for the certificate");
        }
        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }
        chain[0].Dispose();
        return new LoadedKeystore(name, certificateFile, certificate, intermediates);
    }

    public static LoadedKeystore LoadPfx(string name, string pfxFile, string? password)
    {
        X509Certificate2Collection all;
        try
        {
            all = X509CertificateLoader.LoadPkcs12CollectionFromFile(pfxFile, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException e)
        {
            throw new CertificateLoadException(pfxFile, $"not a readable PKCS#12/PFX file, or the password is wrong: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new CertificateLoadException(pfxFile, e.Message, e);
        }
        X509Certificate2? leaf = null;
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all)
        {
            if (leaf is null && certificate.HasPrivateKey)
            {
                leaf = certificate;
            }
            else
            {
                intermediates.Add(certificate);
            }
        }
        return leaf is null
            ? throw new CertificateLoadException(pfxFile, "the PFX file holds no certificate with a private key")
            : new LoadedKeystore(name, pfxFile, leaf, intermediates);
    }

    /// <summary>Every certificate in a PEM file, in file order; at least one.</summary>
    public static X509Certificate2Collection LoadPemCertificates(string file)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(file);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new CertificateLoadException(file, $"cannot read PEM certificates: {e.Message}", e);
        }
        if (collection.Count == 0)
        {
            throw new CertificateLoadException(file, "the file holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
        }
        return collection;
    }
}
