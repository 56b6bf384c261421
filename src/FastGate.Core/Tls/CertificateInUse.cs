using System.Security.Cryptography.X509Certificates;

namespace FastGate.Core.Tls;

/// <summary>A certificate the gateway uses, where, and how long it has left.</summary>
internal sealed record CertificateInUse(X509Certificate2 Certificate, string Usage, string Source)
{
    public double DaysLeft(DateTime utcNow) => (Certificate.NotAfter.ToUniversalTime() - utcNow).TotalDays;

    public ExpiryStatus Status(DateTime utcNow, int warningDays, int errorDays)
    {
        if (Certificate.NotBefore.ToUniversalTime() > utcNow)
        {
            return ExpiryStatus.NotYetValid;
        }
        var days = DaysLeft(utcNow);
        return days <= 0 ? ExpiryStatus.Expired : days <= errorDays ? ExpiryStatus.Critical : days <= warningDays ? ExpiryStatus.Warning : ExpiryStatus.Ok;
    }

    public string SubjectAlternativeNames
    {
        get
        {
            var names = new List<string>();
            foreach (var extension in Certificate.Extensions)
            {
                if (extension is X509SubjectAlternativeNameExtension sans)
                {
                    names.AddRange(sans.EnumerateDnsNames());
                    foreach (var ip in sans.EnumerateIPAddresses())
                    {
                        names.Add(ip.ToString());
                    }
                }
            }
            return names.Count == 0 ? "-" : string.Join(",", names);
        }
    }
}
