using Oaims.Imaging;
using Oaims.Learning.Data;
using Oaims.Learning.Inference;

namespace Oaims.Learning.Tests;

public class VolumeProposerTests
{
    [Fact]
    public void Batched_proposals_equal_the_click_free_prediction_of_each_slice_alone()
    {
        var (network, card) = TinyModels.Create(seed: 3);
        var task = card.ToTask();
        // 50 wide (padded to 64) and 70 high (cropped to 64): both ways back to native pixels are exercised.
        var image = Phantom.Generate3D(50, 70, 5, seed: 2).Image;

        var labels = new VolumeProposer(network, task, batchSize: 3).Propose(image);

        var normalised = IntensityNormaliser.NormalisedCopy(image, task);
        for (int k = 0; k < 5; k++)
        {
            var sample = new SliceSample($"z{k}", VolumeSlices.ExtractPlanar(normalised, 2, k), 1, 50, 70, null);
            using var predictor = new Predictor(network, task, sample);
            var alone = predictor.Predict([]).Labels.Select(l => (byte)l).ToArray();
            Assert.Equal(alone, VolumeSlices.ExtractValues(labels, image.Dims, 2, k));
        }
    }

    [Fact]
    public void Proposals_report_every_slice_once_in_batches()
    {
        var (network, card) = TinyModels.Create();
        var image = Phantom.Generate3D(64, 64, 7, seed: 1).Image;
        var batches = new List<int>();

        new VolumeProposer(network, card.ToTask(), batchSize: 3).Propose(image, batches.Add);

        Assert.Equal([3, 3, 1], batches);
    }

    [Fact]
    public void An_image_with_the_wrong_channel_count_is_refused_with_the_counts()
    {
        var (network, card) = TinyModels.Create();
        var rgb = new Volume([8, 8, 1], [new float[64], new float[64], new float[64]], Volume.Identity4());

        var error = Assert.Throws<ArgumentException>(() => new VolumeProposer(network, card.ToTask()).Propose(rgb));

        Assert.Contains("1-channel", error.Message);
    }
}
