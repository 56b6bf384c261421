namespace FastGate.Load;

public enum ErrorKind
{
    Connect,
    Tls,
    Timeout,
    Reset,
    Protocol,
    Status4xx,
    Status5xx,
}
