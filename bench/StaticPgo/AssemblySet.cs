using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace FastGate.StaticPgo;

/// <summary>The assemblies a profile may name (the application's and the framework's), indexed by type name the way the
/// runtime prints it: "Namespace.Outer+Nested".</summary>
internal sealed class AssemblySet : IDisposable
{
    private readonly List<PEReader> _readers = new();
    private readonly Dictionary<string, (MetadataReader Reader, PEReader Pe, TypeDefinitionHandle Type)> _types = new(StringComparer.Ordinal);

    public AssemblySet(IEnumerable<string> paths)
    {
        foreach (string path in paths)
        {
            var pe = new PEReader(File.OpenRead(path));
            if (!pe.HasMetadata) { pe.Dispose(); continue; }
            _readers.Add(pe);
            MetadataReader reader = pe.GetMetadataReader();
            foreach (TypeDefinitionHandle handle in reader.TypeDefinitions)
                _types.TryAdd(FullName(reader, handle), (reader, pe, handle));
        }
    }

    /// <summary>Finds "Type.Method" with the given IL size: a non-generic method, named exactly once with that size in
    /// its type, of a non-generic type or of an instantiation ("Type`1[Arg].Method") whose arguments all resolve.
    /// Anything else (generic methods, ambiguous overloads, types not in the set) is not resolved.</summary>
    public bool TryResolve(string name, int ilSize, out ResolvedMethod resolved)
    {
        resolved = default;
        if (name.Contains('['))
        {
            int position = 0;
            TypeName type;
            try { type = TypeName.Parse(name, ref position); }
            catch (FormatException) { return false; }
            if (position >= name.Length - 1 || name[position] != '.' || type.ArrayDepth > 0 || !CanEncode(type)) return false;
            if (!_types.TryGetValue(type.Definition, out var definition)) return false;
            if (!TryFindMethod(definition, name[(position + 1)..], ilSize, out MethodDefinitionHandle method)) return false;
            resolved = new ResolvedMethod(definition.Reader, definition.Pe, method, type.Arguments.Count > 0 ? type : null);
            return true;
        }
        // The method name may itself hold dots (".ctor", explicit interface implementations): try each split.
        for (int dot = name.IndexOf('.', 1); dot > 0 && dot < name.Length - 1; dot = name.IndexOf('.', dot + 1))
        {
            if (!_types.TryGetValue(name[..dot], out var type)) continue;
            if (TryFindMethod(type, name[(dot + 1)..], ilSize, out MethodDefinitionHandle method))
            {
                resolved = new ResolvedMethod(type.Reader, type.Pe, method, null);
                return true;
            }
        }
        return false;
    }

    public bool TryFindType(string definition, out MetadataReader reader, out TypeDefinitionHandle type)
    {
        bool found = _types.TryGetValue(definition, out var entry);
        (reader, type) = (entry.Reader, entry.Type);
        return found;
    }

    public static bool IsValueType(MetadataReader reader, TypeDefinitionHandle handle)
    {
        EntityHandle baseType = reader.GetTypeDefinition(handle).BaseType;
        if (baseType.IsNil) return false;
        (StringHandle ns, StringHandle name) = baseType.Kind switch
        {
            HandleKind.TypeReference => (reader.GetTypeReference((TypeReferenceHandle)baseType).Namespace, reader.GetTypeReference((TypeReferenceHandle)baseType).Name),
            HandleKind.TypeDefinition => (reader.GetTypeDefinition((TypeDefinitionHandle)baseType).Namespace, reader.GetTypeDefinition((TypeDefinitionHandle)baseType).Name),
            _ => (default, default),
        };
        if (ns.IsNil || !reader.StringComparer.Equals(ns, "System")) return false;
        bool isEnumItself = reader.StringComparer.Equals(reader.GetTypeDefinition(handle).Name, "Enum");
        return reader.StringComparer.Equals(name, "Enum") || (reader.StringComparer.Equals(name, "ValueType") && !isEnumItself);
    }

    private bool CanEncode(TypeName type)
    {
        if (type.Arguments.Count == 0 && Primitives.ContainsKey(type.Definition)) return true;
        if (!_types.ContainsKey(type.Definition)) return false;
        foreach (TypeName argument in type.Arguments)
            if (!CanEncode(argument)) return false;
        return true;
    }

    private static bool TryFindMethod((MetadataReader Reader, PEReader Pe, TypeDefinitionHandle Type) type, string methodName,
        int ilSize, out MethodDefinitionHandle method)
    {
        method = default;
        int found = 0;
        foreach (MethodDefinitionHandle candidate in type.Reader.GetTypeDefinition(type.Type).GetMethods())
        {
            MethodDefinition definition = type.Reader.GetMethodDefinition(candidate);
            if (!type.Reader.StringComparer.Equals(definition.Name, methodName)) continue;
            if (definition.GetGenericParameters().Count > 0 || definition.RelativeVirtualAddress == 0) continue;
            if (type.Pe.GetMethodBody(definition.RelativeVirtualAddress).GetILReader().Length != ilSize) continue;
            method = candidate; found++;
        }
        if (found != 1) method = default;
        return found == 1;
    }

    /// <summary>Types a signature names by their element type (ECMA-335 II.23.1.16), never by a token.</summary>
    public static readonly IReadOnlyDictionary<string, byte> Primitives = new Dictionary<string, byte>(StringComparer.Ordinal)
    {
        ["System.Void"] = 0x01, ["System.Boolean"] = 0x02, ["System.Char"] = 0x03, ["System.SByte"] = 0x04,
        ["System.Byte"] = 0x05, ["System.Int16"] = 0x06, ["System.UInt16"] = 0x07, ["System.Int32"] = 0x08,
        ["System.UInt32"] = 0x09, ["System.Int64"] = 0x0a, ["System.UInt64"] = 0x0b, ["System.Single"] = 0x0c,
        ["System.Double"] = 0x0d, ["System.String"] = 0x0e, ["System.IntPtr"] = 0x18, ["System.UIntPtr"] = 0x19,
        ["System.Object"] = 0x1c,
    };

    public static string FullName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        TypeDefinition type = reader.GetTypeDefinition(handle);
        string name = reader.GetString(type.Name);
        if (type.IsNested) return FullName(reader, type.GetDeclaringType()) + "+" + name;
        string ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    public void Dispose()
    {
        foreach (PEReader reader in _readers) reader.Dispose();
    }
}
