namespace Oaims.Service.Tests;

public sealed class UserInputTests
{
    [Fact]
    public void A_short_value_is_quoted_whole_with_control_characters_escaped()
    {
        Assert.Equal("'tiny-brain'", UserInput.Quote("tiny-brain"));
        Assert.Equal("'name\\n'", UserInput.Quote("name\n"));
        Assert.Equal("'a\\0b\\u202E'", UserInput.Quote("a\0b\u202E"));
        Assert.Equal("''", UserInput.Quote(null));
    }

    [Fact]
    public void A_long_value_shows_at_most_100_characters_and_says_how_long_it_was()
    {
        string quoted = UserInput.Quote(new string('n', 2_000_000));
        Assert.StartsWith("'nnn", quoted);
        Assert.EndsWith("...' (2000000 characters)", quoted);
        Assert.True(quoted.IndexOf("...'", StringComparison.Ordinal) <= UserInput.MaxQuoted + 1);
        Assert.Equal($"'{new string('x', 100)}'", UserInput.Quote(new string('x', 100)));
    }

    [Fact]
    public void A_sentence_that_quoted_input_without_Quote_is_bounded_on_the_way_out()
    {
        string sentence = UserInput.Bounded($"No workspace '{new string('w', 500_000)}\n'; existing: a, b.");
        Assert.Contains("(500001 characters); existing: a, b.", sentence);
        Assert.True(sentence.Length <= UserInput.MaxSentence);
        string list = UserInput.Bounded("existing: " + string.Join(", ", Enumerable.Range(0, 200).Select(i => $"workspace-{i}")));
        Assert.True(list.Length <= UserInput.MaxSentence);
        Assert.Matches(@", workspace-\d+, \.\.\.$", list); // cut between two names, not inside one
    }
}
