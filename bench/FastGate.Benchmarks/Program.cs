using BenchmarkDotNet.Running;

namespace FastGate.Benchmarks;

internal static class Program
{
    // dotnet run -c Release --project bench/FastGate.Benchmarks -- --filter '*Parser*' [--job short]
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
