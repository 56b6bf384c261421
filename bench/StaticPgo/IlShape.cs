using System.Security.Cryptography;

namespace FastGate.StaticPgo;

/// <summary>A hash of a method body's IL with every metadata token zeroed: what a block profile depends on (opcodes,
/// branch targets, IL offsets) and not what moves when other code in the assembly changes (token numbers).</summary>
internal static class IlShape
{
    public static string Hash(byte[] il)
    {
        byte[] masked = (byte[])il.Clone();
        int at = 0;
        while (at < masked.Length)
        {
            byte op = masked[at++];
            (int size, bool token) = op == 0xFE && at < masked.Length ? TwoByte(masked[at++]) : OneByte(op);
            if (op == 0x45 && at + 4 <= masked.Length) // switch: a count, then that many 4-byte targets
                size = 4 + 4 * BitConverter.ToInt32(masked, at);
            if (token) Array.Clear(masked, at, Math.Min(size, masked.Length - at));
            at += size;
        }
        return Convert.ToHexString(SHA256.HashData(masked))[..16];
    }

    // ECMA-335 III: operand sizes of the one-byte opcodes, and whether the operand is a token.
    private static (int Size, bool Token) OneByte(byte op) => op switch
    {
        >= 0x0E and <= 0x13 or 0x1F or >= 0x2B and <= 0x37 or 0xDE => (1, false),
        0x20 or 0x22 or >= 0x38 and <= 0x44 or 0xDD => (4, false),
        0x21 or 0x23 => (8, false),
        0x27 or 0x28 or 0x29 or 0x6F or >= 0x70 and <= 0x75 or 0x79 or >= 0x7B and <= 0x81 or 0x8C or 0x8D or 0x8F
            or 0xA3 or 0xA4 or 0xA5 or 0xC2 or 0xC6 or 0xD0 => (4, true),
        _ => (0, false),
    };

    private static (int Size, bool Token) TwoByte(byte op) => op switch
    {
        0x06 or 0x07 or 0x15 or 0x16 or 0x1C => (4, true),
        >= 0x09 and <= 0x0E => (2, false),
        0x12 or 0x19 => (1, false),
        _ => (0, false),
    };
}
