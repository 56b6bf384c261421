namespace FastGate.Core.Infrastructure;

internal static class HostNames
{
    /// <summary>A DNS name ("api.example.com") or a one-level wildcard ("*.example.com"); case-insensitive.</summary>
    public static bool IsValidPattern(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 253)
        {
            return false;
        }
        var rest = name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
        if (rest.Length == 0)
        {
            return false;
        }
        foreach (var label in rest.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }
            foreach (var c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
                {
                    return false;
                }
            }
        }
        return true;
    }

    public static bool IsWildcard(string pattern) => pattern.StartsWith("*.", StringComparison.Ordinal);
}
