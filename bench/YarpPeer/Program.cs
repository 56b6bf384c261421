using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

// Usage: YarpPeer CERTS_DIR TLS_PORT MTLS_PORT SMALL_UPSTREAM_PORT LARGE_UPSTREAM_PORT
var certs = args[0];
var server = Load(Path.Combine(certs, "server.crt"), Path.Combine(certs, "server.key"));
var upstreamClient = Load(Path.Combine(certs, "upstream-client.crt"), Path.Combine(certs, "upstream-client.key"));
var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(certs, "ca.crt"));

bool TrustedByCa(X509Certificate2? certificate)
{
    if (certificate is null)
    {
        return false;
    }
    using var chain = new X509Chain();
    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
    chain.ChainPolicy.CustomTrustStore.Add(ca);
    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
    return chain.Build(certificate);
}

var builder = WebApplication.CreateBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Limits.MaxConcurrentConnections = 20_000;
    kestrel.Listen(IPAddress.Loopback, int.Parse(args[1]), listen => listen.UseHttps(server));
    kestrel.Listen(IPAddress.Loopback, int.Parse(args[2]), listen => listen.UseHttps(new HttpsConnectionAdapterOptions
    {
        ServerCertificate = server,
        ClientCertificateMode = ClientCertificateMode.RequireCertificate,
        ClientCertificateValidation = (certificate, _, _) => TrustedByCa(certificate),
    }));
});
RouteConfig[] routes =
[
    new() { RouteId = "small", ClusterId = "small", Match = new() { Path = "/small/{**rest}" } },
    new() { RouteId = "large", ClusterId = "large", Match = new() { Path = "/large/{**rest}" } },
];
ClusterConfig[] clusters =
[
    new() { ClusterId = "small", Destinations = new Dictionary<string, DestinationConfig> { ["d"] = new() { Address = $"https://127.0.0.1:{args[3]}" } } },
    new() { ClusterId = "large", Destinations = new Dictionary<string, DestinationConfig> { ["d"] = new() { Address = $"https://127.0.0.1:{args[4]}" } } },
];
// YARP adds X-Forwarded-For/-Proto/-Host by default; X-Request-Id as FastGate does (the client's, or one generated).
builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters).AddTransforms(transforms => transforms.AddRequestTransform(context =>
{
    if (!context.HttpContext.Request.Headers.ContainsKey("X-Request-Id"))
    {
        context.ProxyRequest.Headers.TryAddWithoutValidation("X-Request-Id", context.HttpContext.TraceIdentifier);
    }
    return ValueTask.CompletedTask;
})).ConfigureHttpClient((_, handler) =>
{
    handler.SslOptions.ClientCertificates = [upstreamClient];
    handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => upstreamClient;
    handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => TrustedByCa(certificate as X509Certificate2);
    handler.MaxConnectionsPerServer = 512;
});
var app = builder.Build();
app.MapReverseProxy();
app.Run();

static X509Certificate2 Load(string certificate, string key)
{
    using var pem = X509Certificate2.CreateFromPemFile(certificate, key);
    return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
}
