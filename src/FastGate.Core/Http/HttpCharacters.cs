using System.Buffers;

namespace FastGate.Core.Http;

/// <summary>RFC 9110 character classes as vectorisable search values.</summary>
internal static class HttpCharacters
{
    /// <summary>tchar (RFC 9110 §5.6.2).</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>Bytes allowed in a field value: VCHAR, obs-text, SP, HTAB (no CTLs, no NUL, no lone CR/LF).</summary>
    private static readonly SearchValues<byte> FieldValue = CreateFieldValue();

    /// <summary>Bytes allowed in a request target: visible ASCII except the ones that never appear unencoded.</summary>
    public static readonly SearchValues<byte> Target = CreateTarget();

    /// <summary>Bytes allowed in a Host value: reg-name, IP literals and a port.</summary>
    public static readonly SearchValues<byte> Host = SearchValues.Create(
        "!$&'()*+,-.0123456789:;=ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz~%"u8);

    public static readonly SearchValues<byte> HexDigits = SearchValues.Create("0123456789abcdefABCDEF"u8);

    /// <summary>
    /// True when <paramref name="value"/> holds a byte a field value must not (a CTL other than HTAB, or DEL).
    /// Values are nearly always printable ASCII: one range scan settles them, and only a value with a tab or obs-text
    /// goes on to the full set. The set alone (it includes bytes above 0x7F) costs ~550 instructions per value in the
    /// NativeAOT build, where its vector shuffle is a call (callgrind, 2026-12-02); the range scan is a few dozen.
    /// </summary>
    public static bool ContainsInvalidFieldValueByte(ReadOnlySpan<byte> value)
    {
        var outside = value.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
        return outside >= 0 && value[outside..].ContainsAnyExcept(FieldValue);
    }

    private static SearchValues<byte> CreateFieldValue()
    {
        var bytes = new List<byte> { (byte)' ', (byte)'\t' };
        for (var b = 0x21; b <= 0xFF; b++)
        {
            if (b != 0x7F)
            {
                bytes.Add((byte)b);
            }
        }
        return SearchValues.Create(bytes.ToArray());
    }

    private static SearchValues<byte> CreateTarget()
    {
        var bytes = new List<byte>();
        for (var b = 0x21; b <= 0x7E; b++)
        {
            if (b is not ('"' or '<' or '>' or '\\' or '^' or '`' or '{' or '|' or '}'))
            {
                bytes.Add((byte)b);
            }
        }
        return SearchValues.Create(bytes.ToArray());
    }
}
