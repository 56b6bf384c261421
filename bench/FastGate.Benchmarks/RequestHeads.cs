using System.Text;

namespace FastGate.Benchmarks;

/// <summary>Request heads the benchmarks parse and rewrite.</summary>
internal static class RequestHeads
{
    public static readonly byte[] TinyGet = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

    /// <summary>A typical API POST: 20 headers, as a browser or SDK behind an API gateway sends them.</summary>
    public static readonly byte[] ApiPost = Encoding.ASCII.GetBytes(
        "POST /api/v1/orders/12345/items?expand=product&currency=EUR HTTP/1.1\r\n" +
        "Host: api.example.com\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36\r\n" +
        "Accept: application/json, text/plain, */*\r\n" +
        "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n" +
        "Accept-Encoding: gzip, deflate, br\r\n" +
        "Content-Type: application/json\r\n" +
        "Content-Length: 512\r\n" +
        "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\r\n" +
        "X-IBM-Client-ID: 6f1c3a9e-1d2b-4c5a-9e8f-0a1b2c3d4e5f\r\n" +
        "X-Request-Id: 7b9d2c1e-5f4a-4b3c-8d2e-1f0a9b8c7d6e\r\n" +
        "Origin: https://shop.example.com\r\n" +
        "Referer: https://shop.example.com/cart\r\n" +
        "Cookie: session=abc123def456; theme=dark; consent=yes\r\n" +
        "Cache-Control: no-cache\r\n" +
        "Pragma: no-cache\r\n" +
        "Connection: keep-alive\r\n" +
        "Sec-Fetch-Mode: cors\r\n" +
        "Sec-Fetch-Site: same-site\r\n" +
        "X-Forwarded-For: 198.51.100.7\r\n" +
        "Traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n" +
        "\r\n");
}
