using FastGate.Core.Configuration;

namespace FastGate.Commands;

internal static class ConfigErrors
{
    public static void Print(ConfigException e)
    {
        Console.Error.WriteLine($"fastgate: the configuration has {e.Errors.Count} error(s):");
        foreach (var error in e.Errors)
        {
            Console.Error.WriteLine($"  {error}");
        }
    }
}
