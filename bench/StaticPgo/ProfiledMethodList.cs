using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace FastGate.StaticPgo;

/// <summary>The text file beside a .mibc that records, for the application's own profiled methods, the shape of the IL
/// each profile was taken on (<see cref="IlShape"/>) ("HASH\tName" per line), so a build can tell how much of its profile still fits its code:
/// the compiler drops a method's counts when its blocks no longer match them, so a stale profile only loses its gain.</summary>
internal static class ProfiledMethodList
{
    public static string Line(ResolvedMethod method, string name) => $"{IlHash(method.Reader, method.Pe, method.Method)}\t{name}";

    /// <summary>How many listed methods still have their profiled IL: the same hash on any method of that name.</summary>
    public static (int Unchanged, int Listed) Check(string listPath, IEnumerable<string> assemblyPaths)
    {
        var current = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in assemblyPaths)
        {
            using var pe = new PEReader(File.OpenRead(path));
            MetadataReader reader = pe.GetMetadataReader();
            foreach (TypeDefinitionHandle type in reader.TypeDefinitions)
            {
                string typeName = AssemblySet.FullName(reader, type);
                foreach (MethodDefinitionHandle method in reader.GetTypeDefinition(type).GetMethods())
                {
                    MethodDefinition definition = reader.GetMethodDefinition(method);
                    if (definition.RelativeVirtualAddress == 0) continue;
                    current.Add($"{IlHash(reader, pe, method)}\t{typeName}.{reader.GetString(definition.Name)}");
                }
            }
        }
        int listed = 0, unchanged = 0;
        foreach (string line in File.ReadLines(listPath))
        {
            if (line.Length == 0) continue;
            listed++;
            if (current.Contains(StripInstantiation(line))) unchanged++;
        }
        return (unchanged, listed);
    }

    // "Outer`1[Arg].Method" was profiled on an instantiation; the IL is the generic definition's.
    private static string StripInstantiation(string line)
    {
        int open = line.IndexOf('[');
        if (open < 0) return line;
        int depth = 0, close = open;
        for (; close < line.Length; close++)
        {
            if (line[close] == '[') depth++;
            else if (line[close] == ']' && --depth == 0) break;
        }
        return line[..open] + line[(close + 1)..];
    }

    private static string IlHash(MetadataReader reader, PEReader pe, MethodDefinitionHandle method)
    {
        MethodBodyBlock body = pe.GetMethodBody(reader.GetMethodDefinition(method).RelativeVirtualAddress);
        return IlShape.Hash(body.GetILBytes()!);
    }
}
