using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("FastGate.Tests")]
