namespace Oaims.Cli.Reliability;

/// <summary>
/// Pools of wrong values, one per kind of field, each entry named after what is wrong with it. Every entry is invalid
/// for the field it is meant for (never merely unusual), so a request built from one must be refused.
/// </summary>
public static class MalformedValues
{
    const string Hex = "0123456789abcdef";

    /// <summary>Names that break the rule for workspace and model names (1 to 64 of letters, digits, '.', '-', '_'; not '.' or '..').</summary>
    public static IReadOnlyList<(string Case, string Value)> Names(string existing) =>
    [
        ("empty", ""), ("blank", "   "), ("a space inside", "two words"), ("punctuation", "name!"),
        ("65 characters", new string('w', 65)), ("100 000 characters", new string('n', 100_000)),
        ("an existing name with a trailing newline", existing + "\n"), ("an existing name with a trailing CRLF", existing + "\r\n"),
        ("an existing name after a newline", "\n" + existing), ("a tab inside", "a\tb"), ("a NUL inside", "a\0b"),
        ("non-ASCII letters", "größe-名前"), ("an emoji", "brain-\U0001F9E0"), ("a right-to-left override", "\u202Eexe.txt"),
        ("a lone dot", "."), ("two dots", ".."), ("a slash", "a/b"), ("a parent path", "../x"),
    ];

    /// <summary>Names for lookups: the malformed ones, plus a well-formed name nothing carries.</summary>
    public static IReadOnlyList<(string Case, string Value)> LookupNames(string existing) =>
        [.. Names(existing), ("a well-formed unknown name", "no-such-workspace-0")];

    /// <summary>Strategy names that no strategy has (the empty name would mean the default, so it is not here).</summary>
    public static IReadOnlyList<(string Case, string Value)> Strategies { get; } =
    [
        ("unknown", "magic"), ("a trailing newline", "mi\n"), ("a trailing space", "pi "), ("two joined by a comma", "mi,pi"),
        ("three joined", "pi+mi+tent"), ("an accent", "mí"), ("100 000 characters", new string('s', 100_000)), ("a NUL", "\0"),
    ];

    /// <summary>Next-image strategy names that no strategy has (the empty name would mean "first", so it is not here).</summary>
    public static IReadOnlyList<(string Case, string Value)> NextImageStrategies { get; } =
    [
        ("unknown", "best"), ("a trailing newline", "first\n"), ("a leading space", " random"), ("two joined by a comma", "first,random"),
        ("an underscore for the hyphen", "least_confident"), ("an accent", "fírst"), ("100 000 characters", new string('s', 100_000)), ("a NUL", "\0"),
    ];

    /// <summary>Datastore image ids (a file name without its extension) that name no image of the datastore, built around an existing one.</summary>
    public static IReadOnlyList<(string Case, string Value)> DatastoreIds(string existing) =>
    [
        ("empty", ""), ("well-formed but unknown", "no-such-image-0"), ("the file name, not the id", existing + ".nii.gz"),
        ("uppercase", existing.ToUpperInvariant() is var upper && upper != existing ? upper : existing + "X"), ("a trailing newline", existing + "\n"),
        ("a leading space", " " + existing), ("a NUL inside", existing + "\0"), ("a parent path", "../" + existing), ("a path into the labels", "labels/final/" + existing),
        ("absolute", "/etc/passwd"), ("100 000 characters", new string('i', 100_000)), ("non-ASCII letters", "größe-名前"), ("a right-to-left override", "\u202E" + existing),
    ];

    /// <summary>Ids of the given length in lowercase hex (sessions: 32, images: 64), each malformed or unknown.</summary>
    public static IReadOnlyList<(string Case, string Value)> Ids(string existing, Random random)
    {
        int length = existing.Length;
        string unknown = string.Concat(Enumerable.Range(0, length).Select(_ => Hex[random.Next(16)]));
        return
        [
            ("empty", ""), ("a word", "nope"), ("uppercase hex", existing.ToUpperInvariant() is var upper && upper != existing ? upper : "A" + existing[1..]),
            ("one digit short", existing[..^1]), ("one digit long", existing + "0"), ("a trailing newline", existing + "\n"),
            ("a leading space", " " + existing), ("a non-hex letter", existing[..^1] + "g"), ("100 000 characters", new string('f', 100_000)),
            ("non-ASCII of the right length", new string('é', length)), ("well-formed but unknown", unknown),
        ];
    }

    /// <summary>Paths under the checkpoint root that must be refused: escapes, absolute, too long, control characters, links and files in the way.</summary>
    public static IReadOnlyList<(string Case, string Value)> Paths(MalformedTarget target)
    {
        var paths = new List<(string, string)>
        {
            ("empty", ""), ("blank", "  "), ("the parent", ".."), ("an escape", "../outside"), ("a deep escape", "a/../../outside"),
            ("a lone dot", "."), ("a dot segment", "a/./b"), ("absolute", "/tmp/oaims-absolute"), ("a backslash escape", "..\\outside"),
            ("6 000 characters in all", string.Join('/', Enumerable.Repeat(new string('p', 200), 30))),
            ("a 300-character folder name", new string('c', 300)), ("a folder name of 256 UTF-8 bytes", new string('é', 128)),
            ("100 000 characters", new string('p', 100_000)), ("a newline inside", "a\nb"), ("a trailing newline", "saved\n"),
            ("a NUL inside", "a\0b"), ("a tab inside", "a\tb"), ("an escape character", "a\u001Bb"),
        };
        if (target.FileUnderRoot is { } file)
        {
            paths.Add(("an existing file", file));
            paths.Add(("a folder inside a file", file + "/inner"));
        }
        if (target.SymlinkUnderRoot is { } link)
        {
            paths.Add(("a symbolic link", link));
            paths.Add(("a folder behind a symbolic link", link + "/inner"));
        }
        return paths;
    }

    /// <summary>Byte strings that are not a valid protobuf message of any type.</summary>
    public static IReadOnlyList<(string Case, byte[] Bytes)> UndecodableMessages(Random random) =>
    [
        ("an unfinished varint tag", [0xFF, 0xFF, 0xFF, 0xFF]),
        ("field number 0", [0x00]),
        ("wire type 7", [0x0F]),
        ("a length-delimited field cut short", [0x0A, 0x10, 0x41]),
        ("an end-group without a start", [0x0C]),
        ("a varint of 11 bytes", [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ("random bytes after an unfinished tag", [0x80, .. Enumerable.Range(0, 8).Select(_ => (byte)(0x80 | random.Next(128)))]),
    ];
}
