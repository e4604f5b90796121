using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Oaims.Service;

/// <summary>
/// How error sentences show what a client sent: quoted, at most 100 characters, control and invisible formatting
/// characters escaped. A refusal that echoed a 2 MB name whole would flood the log and even break the reply (the
/// status travels in an HTTP/2 header, which clients cap at tens of kilobytes).
/// </summary>
public static partial class UserInput
{
    /// <summary>The most characters of one input an error sentence shows.</summary>
    public const int MaxQuoted = 100;

    /// <summary>The longest error sentence the server sends.</summary>
    public const int MaxSentence = 300;

    /// <summary>The value in single quotes for an error sentence: cut after 100 characters (its length said), control characters escaped.</summary>
    public static string Quote(string? value)
    {
        value ??= "";
        var shown = new StringBuilder();
        int index = 0, fitting = 0; // fitting: the longest prefix shown that leaves room for "..."
        while (index < value.Length && shown.Length <= MaxQuoted)
        {
            if (shown.Length <= MaxQuoted - 3) fitting = shown.Length;
            var (text, used) = Visible(value, index);
            shown.Append(text);
            index += used;
        }
        return index == value.Length && shown.Length <= MaxQuoted
            ? $"'{shown}'"
            : $"'{shown.ToString(0, fitting)}...' ({value.Length} characters)";
    }

    /// <summary>
    /// The sentence as it may leave the server: quoted spans longer than <see cref="MaxQuoted"/> shortened, control
    /// characters escaped, and the whole cut to <see cref="MaxSentence"/> characters. The error-mapping interceptor
    /// applies it to every refusal, so a message that interpolated a request field without <see cref="Quote"/> is bounded too.
    /// </summary>
    public static string Bounded(string sentence)
    {
        sentence = LongQuotedSpan().Replace(sentence, m => Quote(m.Groups[1].Value));
        var shown = new StringBuilder();
        for (int index = 0; index < sentence.Length && shown.Length <= MaxSentence;)
        {
            var (text, used) = Visible(sentence, index);
            shown.Append(text);
            index += used;
        }
        string bounded = shown.ToString();
        if (bounded.Length <= MaxSentence) return bounded;
        // Cut after a word where one ends near the limit ("existing: a, b, ..."), else anywhere but inside a surrogate pair.
        int cut = MaxSentence - 3, space = bounded.LastIndexOf(' ', cut - 1, 40);
        if (space > 0) cut = space + 1;
        else if (char.IsHighSurrogate(bounded[cut - 1])) cut--;
        return bounded[..cut] + "...";
    }

    // One character as a sentence shows it, and how many chars of the value it took (2 for a surrogate pair).
    static (string Text, int Used) Visible(string value, int index)
    {
        char c = value[index];
        if (char.IsHighSurrogate(c) && index + 1 < value.Length && char.IsLowSurrogate(value[index + 1])) return (value.Substring(index, 2), 2);
        string text = c switch
        {
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\0' => "\\0",
            _ when char.IsControl(c) || IsFormat(c) || char.IsSurrogate(c) => $"\\u{(int)c:X4}",
            _ => c.ToString(),
        };
        return (text, 1);
    }

    // Invisible characters such as the right-to-left override, which could make a quoted name read as something else.
    static bool IsFormat(char c) => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;

    [GeneratedRegex("'([^']{101,})'")]
    private static partial Regex LongQuotedSpan();
}
