using System.Collections.Immutable;
using System.IO.Compression;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using FastGate.Core.Http;
using FastGate.StaticPgo;

namespace FastGate.Tests.StaticPgo;

/// <summary>bench/StaticPgo: the runtime's PGO dump in, the .mibc NativeAOT's compiler reads out (the layout of
/// dotnet-pgo's MibcEmitter: per method <c>ldtoken; ldstr "InstrumentationDataStart"; mask, IL offset, kind, count,
/// other, value...; ldstr "InstrumentationDataEnd"; pop</c>).</summary>
public sealed class StaticProfileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fastgate-static-pgo-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static int IlSize(MethodInfo method) => method.GetMethodBody()!.GetILAsByteArray()!.Length;

    private static readonly MethodInfo ParseFields =
        typeof(HttpHeadScanner).GetMethod("ParseFields", BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo ListAdd = typeof(List<int>).GetMethod(nameof(List<int>.Add))!;

    private string Dump() => Path.Combine(_directory, "pgo.txt");

    private void WriteDump()
    {
        // As pgo.cpp's WritePgoData prints it: histograms (kinds 177, 195) are dropped, counters kept, an
        // EightByte counter printed as "low high".
        File.WriteAllText(Dump(), $"""
            *** START PGO Data, max index = 3 ***
            @@@ codehash 0x1 methodhash 0x2 ilSize 0x{IlSize(ParseFields):X8} records 0x00000004
            MethodName: FastGate.Core.Http.HttpHeadScanner.ParseFields
            Signature: int32  (class FastGate.Core.Http.HttpMessageHead,int32,bool,int32,int32&)
            Schema InstrumentationKind 385 ILOffset 0 Count 1 Other 12
            1000
            Schema InstrumentationKind 177 ILOffset 20 Count 1 Other 3221225472
            32
            Schema InstrumentationKind 195 ILOffset 20 Count 2 Other 3221225472
            TypeHandle: FastGate.Core.Http.HttpRequestHead
            TypeHandle: NULL
            Schema InstrumentationKind 386 ILOffset 12 Count 1 Other 40
            705032704 1
            @@@ codehash 0x3 methodhash 0x4 ilSize 0x{IlSize(ListAdd):X8} records 0x00000001
            MethodName: System.Collections.Generic.List`1[System.Int32].Add
            Signature: instance void  (!0)
            Schema InstrumentationKind 65 ILOffset 0 Count 1 Other 0
            7
            @@@ codehash 0x5 methodhash 0x6 ilSize 0x{IlSize(ListAdd):X8} records 0x00000001
            MethodName: System.Collections.Generic.List`1[Nowhere.ToBeFound].Add
            Signature: instance void  (!0)
            Schema InstrumentationKind 65 ILOffset 0 Count 1 Other 0
            9
            *** END PGO Data ***

            """);
    }

    private ProfileConverter.Summary Convert(string output) =>
        ProfileConverter.Convert(Dump(), output, [typeof(HttpHeadScanner).Assembly.Location], [typeof(object).Assembly.Location]);

    [Fact]
    public void TheMibcNamesEachProfiledMethodWithItsCounters()
    {
        WriteDump();
        string mibc = Path.Combine(_directory, "fastgate.mibc");
        ProfileConverter.Summary summary = Convert(mibc);
        Assert.Equal(new ProfileConverter.Summary(Methods: 2, ApplicationMethods: 1, Unresolved: 1, Profiled: 3), summary);

        using var pe = new PEReader(ReadZippedImage(mibc));
        MetadataReader reader = pe.GetMetadataReader();
        var groups = new Dictionary<string, List<object>>();
        List<object> dictionary = Decode(reader, pe, Method(reader, "AssemblyDictionary"));
        for (int i = 0; i + 2 < dictionary.Count; i += 3)
        {
            Assert.Equal(ILOpCode.Pop, dictionary[i + 2]);
            groups.Add((string)dictionary[i], Decode(reader, pe, (MethodDefinitionHandle)(EntityHandle)dictionary[i + 1]));
        }
        Assert.Equal(["FastGate.Core;", "System.Private.CoreLib;"], groups.Keys.Order());

        // FastGate.Core: the method by its type and its signature, then both counters with every field written
        // (mask 0xF), the 64-bit one whole.
        List<object> core = groups["FastGate.Core;"];
        var parseFields = (MemberReferenceHandle)(EntityHandle)core[0];
        Assert.Equal("FastGate.Core.Http.HttpHeadScanner::ParseFields", MemberName(reader, parseFields));
        Assert.Equal(SignatureOf(ParseFields), DecodeSignature(reader, reader.GetMemberReference(parseFields).Signature));
        Assert.Equal<object>(["InstrumentationDataStart",
            0xFL, 0L, 385L, 1L, 12L, 1000L,
            0xFL, 12L, 386L, 1L, 40L, 5_000_000_000L,
            "InstrumentationDataEnd", ILOpCode.Pop, ILOpCode.Ret], core[1..]);

        // A method of a generic instantiation: its parent is that instantiation.
        List<object> coreLib = groups["System.Private.CoreLib;"];
        var add = (MemberReferenceHandle)(EntityHandle)coreLib[0];
        MemberReference addReference = reader.GetMemberReference(add);
        Assert.Equal(HandleKind.TypeSpecification, addReference.Parent.Kind);
        var instantiation = reader.GetTypeSpecification((TypeSpecificationHandle)addReference.Parent)
            .DecodeSignature(new TypeNames(), null);
        Assert.Equal("System.Collections.Generic.List`1<int32>", instantiation);
        Assert.Equal<object>(["InstrumentationDataStart", 0xFL, 0L, 65L, 1L, 0L, 7L, "InstrumentationDataEnd", ILOpCode.Pop,
            ILOpCode.Ret], coreLib[1..]);
    }

    [Fact]
    public void TheMethodList_TellsProfiledIlFromChangedIl()
    {
        WriteDump();
        string mibc = Path.Combine(_directory, "fastgate.mibc");
        Convert(mibc);
        string list = mibc + ".methods";
        string line = Assert.Single(File.ReadAllLines(list));
        Assert.EndsWith("\tFastGate.Core.Http.HttpHeadScanner.ParseFields", line);
        string[] core = [typeof(HttpHeadScanner).Assembly.Location];
        Assert.Equal((1, 1), ProfiledMethodList.Check(list, core));

        File.WriteAllLines(list, [line, "0000000000000000\tFastGate.Core.Http.HttpHeadScanner.ParseFields"]);
        Assert.Equal((1, 2), ProfiledMethodList.Check(list, core));
    }

    [Fact]
    public void IlShape_IgnoresTokens_ButNotTheCodeAProfileDescribes()
    {
        // ldarg.0; call <token>; brtrue.s +2; ldc.i4.0; ret; ldc.i4.1; ret
        byte[] il = [0x02, 0x28, 0x01, 0x00, 0x00, 0x0A, 0x2D, 0x02, 0x16, 0x2A, 0x17, 0x2A];
        byte[] otherToken = (byte[])il.Clone();
        otherToken[2] = 0x07; // another method called: same blocks
        byte[] otherBranch = (byte[])il.Clone();
        otherBranch[7] = 0x01; // another branch target: other blocks
        Assert.Equal(IlShape.Hash(il), IlShape.Hash(otherToken));
        Assert.NotEqual(IlShape.Hash(il), IlShape.Hash(otherBranch));
    }

    [Fact]
    public void AMalformedDump_IsRefusedWithItsLine()
    {
        File.WriteAllText(Dump(), "@@@ codehash 0x1 methodhash 0x2 ilSize 0x10 records 0x1\nMethodName: A.B\nSignature: void ()\n" +
            "Schema InstrumentationKind 65 ILOffset 0 Count 1 Other 0\nnot-a-number\n");
        var error = Assert.Throws<FormatException>(() => PgoDumpReader.Read(Dump()));
        Assert.Contains("pgo.txt:5", error.Message);
        Assert.Contains("not-a-number", error.Message);
    }

    private static ImmutableArray<byte> ReadZippedImage(string path)
    {
        using ZipArchive zip = ZipFile.OpenRead(path);
        ZipArchiveEntry entry = Assert.Single(zip.Entries);
        Assert.Equal("fastgate.mibc.dll", entry.Name);
        using var image = new MemoryStream();
        using (Stream stream = entry.Open()) stream.CopyTo(image);
        return [.. image.ToArray()];
    }

    private static MethodDefinitionHandle Method(MetadataReader reader, string name)
    {
        foreach (MethodDefinitionHandle method in reader.MethodDefinitions)
            if (reader.StringComparer.Equals(reader.GetMethodDefinition(method).Name, name)) return method;
        throw new InvalidOperationException($"no method {name}");
    }

    /// <summary>The IL the writer emits, as values: strings, tokens, constants (as long) and other opcodes.</summary>
    private static List<object> Decode(MetadataReader reader, PEReader pe, MethodDefinitionHandle method)
    {
        BlobReader il = pe.GetMethodBody(reader.GetMethodDefinition(method).RelativeVirtualAddress).GetILReader();
        var values = new List<object>();
        while (il.RemainingBytes > 0)
        {
            var op = (ILOpCode)il.ReadByte();
            values.Add(op switch
            {
                ILOpCode.Ldstr => reader.GetUserString(MetadataTokens.UserStringHandle(il.ReadInt32() & 0xFFFFFF)),
                ILOpCode.Ldtoken => MetadataTokens.EntityHandle(il.ReadInt32()),
                >= ILOpCode.Ldc_i4_m1 and <= ILOpCode.Ldc_i4_8 => (long)(op - ILOpCode.Ldc_i4_0),
                ILOpCode.Ldc_i4_s => (long)il.ReadSByte(),
                ILOpCode.Ldc_i4 => (long)il.ReadInt32(),
                ILOpCode.Ldc_i8 => il.ReadInt64(),
                ILOpCode.Pop or ILOpCode.Ret => op,
                _ => throw new InvalidOperationException($"unexpected opcode {op}"),
            });
        }
        return values;
    }

    private static string MemberName(MetadataReader reader, MemberReferenceHandle handle)
    {
        MemberReference member = reader.GetMemberReference(handle);
        TypeReference type = reader.GetTypeReference((TypeReferenceHandle)member.Parent);
        Assert.Equal("FastGate.Core", reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)type.ResolutionScope).Name));
        return $"{reader.GetString(type.Namespace)}.{reader.GetString(type.Name)}::{reader.GetString(member.Name)}";
    }

    private static string SignatureOf(MethodInfo method)
    {
        using var pe = new PEReader(File.OpenRead(method.Module.Assembly.Location));
        MetadataReader reader = pe.GetMetadataReader();
        var handle = (MethodDefinitionHandle)MetadataTokens.EntityHandle(method.MetadataToken);
        return DecodeSignature(reader, reader.GetMethodDefinition(handle).Signature);
    }

    private static string DecodeSignature(MetadataReader reader, BlobHandle signature)
    {
        BlobReader blob = reader.GetBlobReader(signature);
        MethodSignature<string> decoded = new SignatureDecoder<string, object?>(new TypeNames(), reader, null)
            .DecodeMethodSignature(ref blob);
        return $"{decoded.ReturnType} ({string.Join(", ", decoded.ParameterTypes)})";
    }

    /// <summary>Type names from signatures, each named by its namespace and name, whichever table holds it.</summary>
    private sealed class TypeNames : ISignatureTypeProvider<string, object?>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString().ToLowerInvariant();
        public string GetTypeFromDefinition(MetadataReader r, TypeDefinitionHandle handle, byte rawTypeKind) =>
            $"{r.GetString(r.GetTypeDefinition(handle).Namespace)}.{r.GetString(r.GetTypeDefinition(handle).Name)}";
        public string GetTypeFromReference(MetadataReader r, TypeReferenceHandle handle, byte rawTypeKind) =>
            $"{r.GetString(r.GetTypeReference(handle).Namespace)}.{r.GetString(r.GetTypeReference(handle).Name)}";
        public string GetTypeFromSpecification(MetadataReader r, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            r.GetTypeSpecification(handle).DecodeSignature(this, context);
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[,]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPinnedType(string elementType) => elementType;
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) =>
            $"{genericType}<{string.Join(",", typeArguments)}>";
        public string GetGenericTypeParameter(object? context, int index) => $"!{index}";
        public string GetGenericMethodParameter(object? context, int index) => $"!!{index}";
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
    }
}
