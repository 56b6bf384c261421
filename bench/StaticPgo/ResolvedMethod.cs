using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace FastGate.StaticPgo;

/// <summary>A profiled method found in metadata: its definition, and for a method of a generic type the instantiation
/// the profile was taken on (<see cref="DeclaringType"/>; null for a non-generic type).</summary>
internal readonly record struct ResolvedMethod(MetadataReader Reader, PEReader Pe, MethodDefinitionHandle Method, TypeName? DeclaringType);
