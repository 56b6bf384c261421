using FastGate.Core.Http;

namespace FastGate.Tests.Http;

public sealed class HttpCharactersTests
{
    // RFC 9110 §5.5: field-value = VCHAR / obs-text / SP / HTAB; everything else (CTLs, DEL) is refused.
    private static bool AllowedInFieldValue(byte b) => b is (byte)' ' or (byte)'\t' || (b >= 0x21 && b != 0x7F);

    [Theory]
    [InlineData(0)]  // first byte: the range scan's start
    [InlineData(7)]  // within the first vector
    [InlineData(40)] // past a 32-byte vector: the vectorised part of the scan
    [InlineData(95)] // last byte of a value longer than three vectors
    public void ContainsInvalidFieldValueByte_AgreesWithRfc9110_ForEveryByteAtEveryPosition(int position)
    {
        var value = new byte[96];
        Array.Fill(value, (byte)'a');
        for (var b = 0; b < 256; b++)
        {
            value[position] = (byte)b;
            Assert.True(HttpCharacters.ContainsInvalidFieldValueByte(value) == !AllowedInFieldValue((byte)b), $"byte 0x{b:X2} at {position}");
        }
    }

    [Fact]
    public void ContainsInvalidFieldValueByte_LooksPastTabsAndObsText()
    {
        // The range scan stops at the first tab or obs-text byte; a CTL after it must still be found.
        Assert.False(HttpCharacters.ContainsInvalidFieldValueByte("a\tb\u00e9c"u8.ToArray().Concat(new byte[] { 0xC3, 0xA9, (byte)'d' }).ToArray()));
        Assert.True(HttpCharacters.ContainsInvalidFieldValueByte(new byte[] { (byte)'a', (byte)'\t', (byte)'b', 0x01 }));
        Assert.True(HttpCharacters.ContainsInvalidFieldValueByte(new byte[] { 0xC3, 0xA9, (byte)'x', 0x7F }));
        Assert.False(HttpCharacters.ContainsInvalidFieldValueByte(ReadOnlySpan<byte>.Empty));
    }
}
