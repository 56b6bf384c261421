using System.IO.Compression;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace FastGate.StaticPgo;

/// <summary>Writes a .mibc file: a metadata-only assembly whose global method "AssemblyDictionary" names, per defining
/// assembly, a method whose IL lists the profiled methods: <c>ldtoken method; ldstr "InstrumentationDataStart";
/// (ldc mask, IL offset, kind, count, other, value)...; ldstr "InstrumentationDataEnd"; pop</c> — the layout
/// dotnet-pgo's MibcEmitter writes and the compilers' MIbcProfileParser reads. Methods are referenced by MemberRef,
/// their signatures copied with every type token moved into this file's own tables.</summary>
internal sealed class MibcWriter
{
    private const int UpdateAll = 0xF; // ILOffset | Type | Count | Other: every schema field written in full

    private readonly MetadataBuilder _metadata = new();
    private readonly MethodBodyStreamEncoder _bodies = new(new BlobBuilder());
    private readonly BlobHandle _voidSignature;
    private readonly AssemblySet _assemblySet;
    private readonly Dictionary<string, AssemblyReferenceHandle> _assemblyReferences = new(StringComparer.Ordinal);
    private readonly Dictionary<(MetadataReader, EntityHandle), EntityHandle> _types = new();
    private readonly SortedDictionary<string, InstructionEncoder> _groups = new(StringComparer.Ordinal);
    private int _methodCount;

    public MibcWriter(string name, AssemblySet assemblies)
    {
        _assemblySet = assemblies;
        _metadata.AddModule(0, _metadata.GetOrAddString(name), _metadata.GetOrAddGuid(Guid.Empty), default, default);
        _metadata.AddAssembly(_metadata.GetOrAddString(Path.GetFileNameWithoutExtension(name)), new Version(1, 0, 0, 0),
            default, default, default, AssemblyHashAlgorithm.None);
        _metadata.AddTypeDefinition(TypeAttributes.NotPublic, default, _metadata.GetOrAddString("<Module>"), default,
            MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        var signature = new BlobBuilder();
        new BlobEncoder(signature).MethodSignature().Parameters(0, r => r.Void(), p => { });
        _voidSignature = _metadata.GetOrAddBlob(signature);
    }

    public int MethodCount => _methodCount;

    public void Add(ResolvedMethod resolved, IReadOnlyList<PgoRecord> records)
    {
        MetadataReader reader = resolved.Reader;
        MethodDefinition definition = reader.GetMethodDefinition(resolved.Method);
        string assembly = reader.GetString(reader.GetAssemblyDefinition().Name);
        if (!_groups.TryGetValue(assembly + ";", out InstructionEncoder il))
        {
            il = new InstructionEncoder(new BlobBuilder());
            _groups.Add(assembly + ";", il);
        }
        EntityHandle parent = resolved.DeclaringType is { } instantiation
            ? _metadata.AddTypeSpecification(_metadata.GetOrAddBlob(EncodeType(instantiation)))
            : TypeReference(reader, definition.GetDeclaringType());
        BlobHandle signature = _metadata.GetOrAddBlob(RewriteMethodSignature(reader, reader.GetBlobReader(definition.Signature)));
        MemberReferenceHandle reference = _metadata.AddMemberReference(parent, _metadata.GetOrAddString(reader.GetString(definition.Name)), signature);

        il.OpCode(ILOpCode.Ldtoken);
        il.Token(reference);
        il.LoadString(_metadata.GetOrAddUserString("InstrumentationDataStart"));
        foreach (PgoRecord record in records)
        {
            il.LoadConstantI4(UpdateAll);
            il.LoadConstantI4(record.IlOffset);
            il.LoadConstantI4(record.Kind);
            il.LoadConstantI4(1);
            il.LoadConstantI4(record.Other);
            if (record.Value is >= int.MinValue and <= int.MaxValue) il.LoadConstantI4((int)record.Value);
            else il.LoadConstantI8(record.Value);
        }
        il.LoadString(_metadata.GetOrAddUserString("InstrumentationDataEnd"));
        il.OpCode(ILOpCode.Pop);
        _methodCount++;
    }

    /// <summary>Writes the assembly, zipped the way dotnet-pgo ships .mibc files (one entry, "NAME.dll").</summary>
    public void Save(string path)
    {
        var dictionary = new InstructionEncoder(new BlobBuilder());
        int index = 0;
        foreach ((string group, InstructionEncoder il) in _groups)
        {
            il.OpCode(ILOpCode.Ret);
            MethodDefinitionHandle groupMethod = AddGlobalMethod($"Assemblies_{index++}", il);
            dictionary.LoadString(_metadata.GetOrAddUserString(group));
            dictionary.OpCode(ILOpCode.Ldtoken);
            dictionary.Token(groupMethod);
            dictionary.OpCode(ILOpCode.Pop);
        }
        dictionary.OpCode(ILOpCode.Ret);
        AddGlobalMethod("AssemblyDictionary", dictionary);

        var image = new BlobBuilder();
        new ManagedPEBuilder(PEHeaderBuilder.CreateLibraryHeader(), new MetadataRootBuilder(_metadata), _bodies.Builder)
            .Serialize(image);
        File.Delete(path);
        using ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using Stream entry = zip.CreateEntry(Path.GetFileName(path) + ".dll", CompressionLevel.Optimal).Open();
        image.WriteContentTo(entry);
    }

    /// <summary>A type signature (ECMA-335 II.23.2.12) for a type named in the profile.</summary>
    private BlobBuilder EncodeType(TypeName type)
    {
        var output = new BlobBuilder();
        WriteType(type, type.ArrayDepth, output);
        return output;
    }

    private void WriteType(TypeName type, int arrayDepth, BlobBuilder output)
    {
        if (arrayDepth > 0)
        {
            output.WriteByte(0x1d); // ELEMENT_TYPE_SZARRAY
            WriteType(type, arrayDepth - 1, output);
            return;
        }
        if (type.Arguments.Count == 0 && AssemblySet.Primitives.TryGetValue(type.Definition, out byte element))
        {
            output.WriteByte(element);
            return;
        }
        if (!_assemblySet.TryFindType(type.Definition, out MetadataReader reader, out TypeDefinitionHandle definition))
            throw new InvalidOperationException($"type {type.Definition} is not in the assembly set");
        if (type.Arguments.Count > 0) output.WriteByte(0x15); // ELEMENT_TYPE_GENERICINST
        output.WriteByte(AssemblySet.IsValueType(reader, definition) ? (byte)0x11 : (byte)0x12); // VALUETYPE : CLASS
        output.WriteCompressedInteger(CodedIndex.TypeDefOrRefOrSpec(TypeReference(reader, definition)));
        if (type.Arguments.Count == 0) return;
        output.WriteCompressedInteger(type.Arguments.Count);
        foreach (TypeName argument in type.Arguments) WriteType(argument, argument.ArrayDepth, output);
    }

    private MethodDefinitionHandle AddGlobalMethod(string name, InstructionEncoder il) =>
        _metadata.AddMethodDefinition(MethodAttributes.Public | MethodAttributes.Static, MethodImplAttributes.IL,
            _metadata.GetOrAddString(name), _voidSignature, _bodies.AddMethodBody(il, maxStack: 8),
            MetadataTokens.ParameterHandle(1));

    private AssemblyReferenceHandle AssemblyReference(AssemblyName name)
    {
        string key = name.Name!;
        if (_assemblyReferences.TryGetValue(key, out AssemblyReferenceHandle handle)) return handle;
        byte[]? token = name.GetPublicKeyToken();
        handle = _metadata.AddAssemblyReference(_metadata.GetOrAddString(key), name.Version ?? new Version(0, 0, 0, 0),
            name.CultureName is { Length: > 0 } culture ? _metadata.GetOrAddString(culture) : default,
            token is { Length: > 0 } ? _metadata.GetOrAddBlob(token) : default, default, default);
        _assemblyReferences.Add(key, handle);
        return handle;
    }

    /// <summary>This file's token for a type token of <paramref name="reader"/>'s assembly (a TypeDef, TypeRef or
    /// TypeSpec there).</summary>
    private EntityHandle TypeReference(MetadataReader reader, EntityHandle type)
    {
        if (_types.TryGetValue((reader, type), out EntityHandle known)) return known;
        EntityHandle result;
        switch (type.Kind)
        {
            case HandleKind.TypeDefinition:
            {
                TypeDefinition definition = reader.GetTypeDefinition((TypeDefinitionHandle)type);
                EntityHandle scope = definition.IsNested
                    ? TypeReference(reader, definition.GetDeclaringType())
                    : AssemblyReference(reader.GetAssemblyDefinition().GetAssemblyName());
                result = _metadata.AddTypeReference(scope,
                    definition.IsNested ? default : _metadata.GetOrAddString(reader.GetString(definition.Namespace)),
                    _metadata.GetOrAddString(reader.GetString(definition.Name)));
                break;
            }
            case HandleKind.TypeReference:
            {
                System.Reflection.Metadata.TypeReference reference = reader.GetTypeReference((TypeReferenceHandle)type);
                EntityHandle scope = reference.ResolutionScope.Kind switch
                {
                    HandleKind.AssemblyReference => AssemblyReference(
                        reader.GetAssemblyReference((AssemblyReferenceHandle)reference.ResolutionScope).GetAssemblyName()),
                    HandleKind.TypeReference => TypeReference(reader, (EntityHandle)reference.ResolutionScope),
                    // A reference into the same module: name it through the assembly itself.
                    _ => AssemblyReference(reader.GetAssemblyDefinition().GetAssemblyName()),
                };
                result = _metadata.AddTypeReference(scope, _metadata.GetOrAddString(reader.GetString(reference.Namespace)),
                    _metadata.GetOrAddString(reader.GetString(reference.Name)));
                break;
            }
            case HandleKind.TypeSpecification:
            {
                TypeSpecification spec = reader.GetTypeSpecification((TypeSpecificationHandle)type);
                result = _metadata.AddTypeSpecification(_metadata.GetOrAddBlob(RewriteTypeSignature(reader, reader.GetBlobReader(spec.Signature))));
                break;
            }
            default:
                throw new NotSupportedException($"type token of kind {type.Kind}");
        }
        _types.Add((reader, type), result);
        return result;
    }

    /// <summary>Copies a signature blob, moving each embedded type token into this file (ECMA-335 II.23.2: tokens
    /// follow CLASS, VALUETYPE, CMOD_REQD and CMOD_OPT; everything else is copied as it is).</summary>
    private BlobBuilder RewriteMethodSignature(MetadataReader reader, BlobReader blob)
    {
        var output = new BlobBuilder();
        CopyMethodSignature(reader, ref blob, output);
        return output;
    }

    /// <summary>As <see cref="RewriteMethodSignature"/>, for a TypeSpec's blob: one type.</summary>
    private BlobBuilder RewriteTypeSignature(MetadataReader reader, BlobReader blob)
    {
        var output = new BlobBuilder();
        CopyType(reader, ref blob, output);
        return output;
    }

    // Also the shape of a function pointer's signature.
    private void CopyMethodSignature(MetadataReader reader, ref BlobReader blob, BlobBuilder output)
    {
        SignatureHeader header = blob.ReadSignatureHeader();
        output.WriteByte(header.RawValue);
        if (header.IsGeneric) output.WriteCompressedInteger(blob.ReadCompressedInteger());
        int parameters = blob.ReadCompressedInteger();
        output.WriteCompressedInteger(parameters);
        CopyType(reader, ref blob, output); // return type
        for (int i = 0; i < parameters; i++) CopyType(reader, ref blob, output);
    }

    private void CopyType(MetadataReader reader, ref BlobReader blob, BlobBuilder output)
    {
        var code = (SignatureTypeCode)blob.ReadByte();
        output.WriteByte((byte)code);
        switch (code)
        {
            case (SignatureTypeCode)0x11: // ELEMENT_TYPE_VALUETYPE
            case (SignatureTypeCode)0x12: // ELEMENT_TYPE_CLASS
                WriteToken(reader, ref blob, output);
                break;
            case SignatureTypeCode.RequiredModifier:
            case SignatureTypeCode.OptionalModifier:
                WriteToken(reader, ref blob, output);
                CopyType(reader, ref blob, output);
                break;
            case SignatureTypeCode.Pointer:
            case SignatureTypeCode.ByReference:
            case SignatureTypeCode.SZArray:
            case SignatureTypeCode.Pinned:
            case SignatureTypeCode.Sentinel:
                if (code != SignatureTypeCode.Sentinel) CopyType(reader, ref blob, output);
                break;
            case SignatureTypeCode.Array:
            {
                CopyType(reader, ref blob, output);
                int rank = blob.ReadCompressedInteger(); output.WriteCompressedInteger(rank);
                int sizes = blob.ReadCompressedInteger(); output.WriteCompressedInteger(sizes);
                for (int i = 0; i < sizes; i++) output.WriteCompressedInteger(blob.ReadCompressedInteger());
                int bounds = blob.ReadCompressedInteger(); output.WriteCompressedInteger(bounds);
                for (int i = 0; i < bounds; i++) output.WriteCompressedSignedInteger(blob.ReadCompressedSignedInteger());
                break;
            }
            case SignatureTypeCode.GenericTypeInstance:
            {
                CopyType(reader, ref blob, output); // CLASS/VALUETYPE + token
                int arguments = blob.ReadCompressedInteger(); output.WriteCompressedInteger(arguments);
                for (int i = 0; i < arguments; i++) CopyType(reader, ref blob, output);
                break;
            }
            case SignatureTypeCode.GenericTypeParameter:
            case SignatureTypeCode.GenericMethodParameter:
                output.WriteCompressedInteger(blob.ReadCompressedInteger());
                break;
            case SignatureTypeCode.FunctionPointer:
                CopyMethodSignature(reader, ref blob, output);
                break;
            default:
                break; // primitives, string, object, typedbyref: the element type alone
        }
    }

    private void WriteToken(MetadataReader reader, ref BlobReader blob, BlobBuilder output)
    {
        EntityHandle source = blob.ReadTypeHandle();
        output.WriteCompressedInteger(CodedIndex.TypeDefOrRefOrSpec(TypeReference(reader, source)));
    }
}
