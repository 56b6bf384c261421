using System.Globalization;

namespace FastGate.StaticPgo;

/// <summary>Reads the text the runtime writes at exit with DOTNET_WritePGOData=1 and DOTNET_PGODataPath (pgo.cpp,
/// PgoManager::WritePgoData): per method a "@@@ ... ilSize X records N" header, "MethodName:" and "Signature:" lines,
/// then N "Schema InstrumentationKind K ILOffset O Count C Other T" lines, each followed by C value lines.</summary>
internal static class PgoDumpReader
{
    public static List<MethodProfile> Read(string path)
    {
        var methods = new List<MethodProfile>();
        using var reader = new StreamReader(path);
        string? line;
        int lineNumber = 0;
        string? Next() { lineNumber++; return reader.ReadLine(); }

        while ((line = Next()) is not null)
        {
            if (!line.StartsWith("@@@ ", StringComparison.Ordinal)) continue;
            string[] header = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int ilSize = ParseHex(header, "ilSize", path, lineNumber);
            int records = ParseHex(header, "records", path, lineNumber);
            string name = Expect(Next(), "MethodName: ", path, lineNumber);
            Expect(Next(), "Signature: ", path, lineNumber);

            var counters = new List<PgoRecord>();
            for (int r = 0; r < records; r++)
            {
                string[] schema = Expect(Next(), "Schema ", path, lineNumber).Split(' ');
                // InstrumentationKind K ILOffset O Count C Other T
                int kind = int.Parse(schema[1], CultureInfo.InvariantCulture);
                int ilOffset = int.Parse(schema[3], CultureInfo.InvariantCulture);
                int count = int.Parse(schema[5], CultureInfo.InvariantCulture);
                long other = long.Parse(schema[7], CultureInfo.InvariantCulture);
                long value = 0;
                for (int i = 0; i < count; i++)
                {
                    string data = Next() ?? throw new FormatException($"{path}:{lineNumber}: the file ends inside a schema entry");
                    if (i == 0 && PgoRecord.IsCounter(kind)) value = ParseCounter(data, path, lineNumber);
                }
                if (PgoRecord.IsCounter(kind) && count == 1)
                    counters.Add(new PgoRecord(kind, ilOffset, checked((int)other), value));
            }
            if (counters.Count > 0) methods.Add(new MethodProfile(name, ilSize, counters));
        }
        return methods;
    }

    // FourByte values are printed as one unsigned number, EightByte ones as "low high".
    private static long ParseCounter(string data, string path, int lineNumber)
    {
        string[] parts = data.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 1 or > 2 || !uint.TryParse(parts[0], CultureInfo.InvariantCulture, out uint low))
            throw new FormatException($"{path}:{lineNumber}: expected a counter value, found \"{data}\"");
        uint high = 0;
        if (parts.Length == 2 && !uint.TryParse(parts[1], CultureInfo.InvariantCulture, out high))
            throw new FormatException($"{path}:{lineNumber}: expected a counter value, found \"{data}\"");
        return (long)(((ulong)high << 32) | low);
    }

    private static int ParseHex(string[] header, string field, string path, int lineNumber)
    {
        int at = Array.IndexOf(header, field);
        if (at < 0 || at + 1 >= header.Length)
            throw new FormatException($"{path}:{lineNumber}: method header without {field}");
        return Convert.ToInt32(header[at + 1], 16);
    }

    private static string Expect(string? line, string prefix, string path, int lineNumber)
    {
        if (line is null || !line.StartsWith(prefix, StringComparison.Ordinal))
            throw new FormatException($"{path}:{lineNumber}: expected a line starting \"{prefix}\", found \"{line}\"");
        return line[prefix.Length..];
    }
}
