using static Oaims.Service.Tests.OaimsProcess;

namespace Oaims.Service.Tests;

/// <summary>`oaims train --init-from`: a starting checkpoint for another task or input size is refused before any data is read.</summary>
public sealed class TrainCommandTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("oaims-train-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    string In(string name) => Path.Combine(_folder, name);

    [Theory]
    [InlineData("fundus-odoc", "is a brain-lesion model")]
    [InlineData("brain-lesion", "this run trains brain-lesion at 256 px")]
    public void A_starting_checkpoint_of_another_task_or_size_is_refused_with_one_sentence(string task, string expected)
    {
        string tiny = Path.Combine(TinyModels.Write(In("models")), TinyModels.Brain);
        string error = AssertRefused(RunOaims("train", "--task", task, "--data", In("no-data"), "--out", In("out"), "--init-from", tiny));
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(In("out")));
    }

    [Fact]
    public void An_unknown_starting_model_is_refused_with_one_sentence()
    {
        string error = AssertRefused(RunOaims("train", "--task", "brain-lesion", "--data", In("no-data"), "--out", In("out"), "--init-from", In("no-such-model")));
        Assert.Contains("No model", error);
    }
}
