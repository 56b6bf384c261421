using FastGate.StaticPgo;

// static-pgo convert DUMP OUT.mibc APP-DIR FRAMEWORK-DIR
//   Writes OUT.mibc from the runtime's PGO dump, resolving methods in the application's and the framework's
//   assemblies, and OUT.mibc.methods listing the application's profiled methods with the shape of their IL.
// static-pgo check LIST APP-DIR
//   Says how many methods LIST names still have the IL they were profiled with (exit 0 either way).
switch (args)
{
    case ["convert", string dump, string output, string appDirectory, string frameworkDirectory]:
    {
        ProfileConverter.Summary summary = ProfileConverter.Convert(dump, output,
            Directory.GetFiles(appDirectory, "*.dll"), Directory.GetFiles(frameworkDirectory, "*.dll"));
        Console.WriteLine($"{output}: {summary.Methods} methods, {summary.ApplicationMethods} of them the application's " +
            $"({summary.Unresolved} of {summary.Profiled} profiled methods not resolved: generic methods, ambiguous " +
            "overloads, or types outside the given assemblies)");
        return 0;
    }
    case ["check", string list, string appDirectory]:
    {
        (int unchanged, int listed) = ProfiledMethodList.Check(list, Directory.GetFiles(appDirectory, "*.dll"));
        Console.WriteLine($"{Path.GetFileName(list)}: {unchanged} of {listed} profiled methods have the IL they were profiled with");
        if (unchanged < listed * 9 / 10)
            Console.WriteLine("note: more than a tenth of the static profile is stale; rerun bench/static-pgo.sh");
        return 0;
    }
    default:
        Console.Error.WriteLine("usage: static-pgo convert DUMP OUT.mibc APP-DIR FRAMEWORK-DIR | static-pgo check LIST APP-DIR");
        return 2;
}
