using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Data;
using Oaims.Learning.Inference;

namespace Oaims.Learning.Tests;

public class FieldOfViewTests
{
    // A 96x80 image: larger than a 40-pixel field of view both ways, so the window is a real crop.
    static SliceSample WideImage()
    {
        var phantom = Oaims.Imaging.Phantom.Generate2D(96, 80, seed: 4);
        var image = phantom.Image.Channels[0].ToArray();
        IntensityNormaliser.Apply(IntensityNormalisation.ZScoreForeground, [image]);
        return new SliceSample("wide", image, 1, 96, 80, new LabelMap(96, 80, phantom.Label.Channels[0].Select(v => v > 0.5f ? 1 : 0).ToArray()));
    }

    [Fact]
    public void The_first_click_centres_the_window_moved_inside_the_image_at_its_edges()
    {
        Assert.Equal(new FieldOfView(50, 0, 40, 40), FieldOfView.Around(new Click(70, 5, 1), 40, 96, 80));
        Assert.Equal(new FieldOfView(56, 40, 40, 40), FieldOfView.Around(new Click(95, 79, 1), 40, 96, 80));
        Assert.Null(FieldOfView.Around(new Click(10, 10, 1), 100, 96, 80)); // the image fits: seen whole
        Assert.Null(FieldOfView.Around(new Click(10, 10, 1), 0, 96, 80));   // 0: no field of view
    }

    [Fact]
    public void The_mask_inside_the_window_is_the_prediction_on_the_window_and_background_outside_it()
    {
        var (network, card) = TinyModels.Create(seed: 2);
        using var learner = new OnlineLearner(network, card, "none");
        var sample = WideImage();
        using var interaction = new SliceInteraction(learner, sample, fieldOfView: 40);

        var mask = interaction.AddClick(new Click(70, 30, 1)).Mask;

        var view = interaction.View!;
        Assert.Equal(new FieldOfView(50, 10, 40, 40), view);
        using var alone = new Predictor(network, card.ToTask(), view.Crop(sample));
        var expected = view.Paste(alone.Predict([new Click(20, 20, 1)]), 96, 80);
        Assert.Equal(expected.Labels, mask.Labels);
        for (int y = 0; y < 80; y++)
            for (int x = 0; x < 96; x++)
                if (!view.Contains(new Click(x, y, 0))) Assert.Equal(0, mask.Labels[y * 96 + x]);
    }

    [Fact]
    public void A_later_click_outside_the_window_is_refused_and_leaves_the_clicks_and_mask_as_they_were()
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, "none");
        using var interaction = new SliceInteraction(learner, WideImage(), fieldOfView: 40);
        var mask = interaction.AddClick(new Click(70, 30, 1)).Mask;

        var outside = new Click(5, 5, 0);
        Assert.False(interaction.CanTake(outside));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => interaction.AddClick(outside));
        Assert.Contains("field of view", error.Message);
        Assert.Single(interaction.Clicks);
        Assert.Same(mask, interaction.Mask);
    }

    [Fact]
    public void Committing_learns_from_the_window_of_the_final_mask()
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, "pi", learningRate: 1e-3);
        var sample = WideImage();
        using var interaction = new SliceInteraction(learner, sample, fieldOfView: 40);
        interaction.AddClick(SimulatedUser.FirstClick(sample.Truth!)!.Value);

        var steps = interaction.Commit(sample.Truth);

        Assert.NotEmpty(steps);
        Assert.All(steps, s => Assert.True(s.Applied));
    }

    [Fact]
    public void Crop_then_paste_keeps_the_window_and_clears_the_rest()
    {
        var map = new LabelMap(6, 5, Enumerable.Range(0, 30).Select(i => i % 3).ToArray());
        var view = new FieldOfView(2, 1, 3, 2);
        var pasted = view.Paste(view.Crop(map), 6, 5);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 6; x++)
                Assert.Equal(view.Contains(new Click(x, y, 0)) ? map.Labels[y * 6 + x] : 0, pasted.Labels[y * 6 + x]);
    }
}
