namespace FastGate.Core.Configuration;

/// <summary>When FastGate warns about certificates that are about to expire.</summary>
internal sealed class CertificateExpiryConfig
{
    public int WarningDays { get; set; } = 30;
    public int ErrorDays { get; set; } = 7;
    public double CheckIntervalHours { get; set; } = 1;
}
