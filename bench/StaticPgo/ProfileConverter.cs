namespace FastGate.StaticPgo;

/// <summary>The runtime's PGO dump → a .mibc file plus its list of the application's profiled methods.</summary>
internal static class ProfileConverter
{
    public sealed record Summary(int Methods, int ApplicationMethods, int Unresolved, int Profiled);

    public static Summary Convert(string dump, string output, IReadOnlyList<string> appAssemblies, IEnumerable<string> frameworkAssemblies)
    {
        List<MethodProfile> profiles = PgoDumpReader.Read(dump);
        using var assemblies = new AssemblySet(appAssemblies.Concat(frameworkAssemblies));
        var appNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in appAssemblies) appNames.Add(Path.GetFileNameWithoutExtension(path));
        var writer = new MibcWriter(Path.GetFileName(output), assemblies);
        var list = new List<string>();
        int unresolved = 0;
        foreach (MethodProfile profile in profiles)
        {
            if (!assemblies.TryResolve(profile.Name, profile.IlSize, out ResolvedMethod method)) { unresolved++; continue; }
            writer.Add(method, profile.Records);
            if (appNames.Contains(method.Reader.GetString(method.Reader.GetAssemblyDefinition().Name)))
                list.Add(ProfiledMethodList.Line(method, profile.Name));
        }
        writer.Save(output);
        list.Sort(StringComparer.Ordinal);
        File.WriteAllLines(output + ".methods", list);
        return new Summary(writer.MethodCount, list.Count, unresolved, profiles.Count);
    }
}
