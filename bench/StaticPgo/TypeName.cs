namespace FastGate.StaticPgo;

/// <summary>A type as the runtime prints it in its PGO dump: "Namespace.Outer`1+Inner`1[Arg1,Arg2]", arrays as
/// "Element[]"; the instantiation lists every generic argument of the innermost type, its enclosing types' first.</summary>
internal sealed record TypeName(string Definition, IReadOnlyList<TypeName> Arguments, int ArrayDepth)
{
    /// <summary>Parses one type at <paramref name="position"/>, stopping before ',', ']' or a '.' that follows an
    /// instantiation (the method name's separator).</summary>
    public static TypeName Parse(string text, ref int position)
    {
        int start = position;
        while (position < text.Length && text[position] is not ('[' or ',' or ']')) position++;
        string definition = text[start..position];
        var arguments = new List<TypeName>();
        if (position < text.Length && text[position] == '[' && position + 1 < text.Length && text[position + 1] != ']')
        {
            position++; // '['
            while (true)
            {
                arguments.Add(Parse(text, ref position));
                if (position >= text.Length) throw new FormatException($"unterminated instantiation in \"{text}\"");
                if (text[position] == ',') { position++; continue; }
                if (text[position] == ']') { position++; break; }
                throw new FormatException($"unexpected '{text[position]}' in \"{text}\"");
            }
        }
        int arrays = 0;
        while (position + 1 < text.Length && text[position] == '[' && text[position + 1] == ']') { arrays++; position += 2; }
        return new TypeName(definition, arguments, arrays);
    }
}
