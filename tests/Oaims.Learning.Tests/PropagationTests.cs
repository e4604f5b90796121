using Oaims.Imaging;
using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Evaluation;
using Oaims.Learning.Network;
using Oaims.Learning.Sessions;
using static TorchSharp.torch;

namespace Oaims.Learning.Tests;

/// <summary>
/// Propagation through a volume. The tiny model is untrained, so its output bias is set to make it see the structure
/// everywhere (it goes on to the image's edges) or nowhere (it stops at once): what propagation does with either is certain.
/// </summary>
public class PropagationTests
{
    const int Depth = 6;

    static OnlineLearner Learner(bool seesStructure, string strategy = "none")
    {
        var (network, card) = TinyModels.Create();
        SeeStructure(network, seesStructure);
        return new OnlineLearner(network, card, strategy);
    }

    static void SeeStructure(InteractiveUNet network, bool everywhere)
    {
        using var noGrad = no_grad();
        var bias = network.named_parameters().Single(p => p.name == "outputs.bias").parameter;
        bias.copy_(tensor(everywhere ? new[] { -50f, 50f } : [50f, -50f]));
    }

    static Volume Image() => Phantom.Generate3D(TinyModels.Size, TinyModels.Size, Depth, seed: 1).Image;

    static VolumeClick PositiveClickOn(int slice) => new(2, 30, 30, slice, 1);

    [Fact]
    public void Propagation_proposes_the_neighbours_one_after_the_other_down_then_up_to_the_image_edges()
    {
        using var learner = Learner(seesStructure: true);
        using var session = new VolumeSession(learner, Image());
        session.AddClick(PositiveClickOn(2));
        var reported = new List<int>();

        var outcome = session.Propagate(2, 2, report: s => reported.Add(s.Slice));

        Assert.Equal([1, 0, 3, 4, 5], outcome.Proposed);
        Assert.Equal(outcome.Proposed, reported);
        Assert.Equal(("the image ends", "the image ends"), (outcome.StopBelow, outcome.StopAbove));
        Assert.Equal([0, 1, 3, 4, 5], session.Proposals(2));
        Assert.False(session.IsProposal(2, 2));
    }

    [Fact]
    public void Propagation_stops_where_the_structure_ends_and_clears_older_proposals_beyond()
    {
        using var learner = Learner(seesStructure: true);
        using var session = new VolumeSession(learner, Image());
        session.AddClick(PositiveClickOn(2));
        session.Propagate(2, 2);
        SeeStructure(learner.Network, everywhere: false);

        var outcome = session.Propagate(2, 2);

        Assert.Empty(outcome.Proposed);
        Assert.Equal([1, 0, 3, 4, 5], outcome.Cleared);
        Assert.Equal("the structure ends after slice 2", outcome.StopBelow);
        Assert.Empty(session.Proposals(2));
        Assert.All(new[] { 0, 1, 3, 4, 5 }, k => Assert.All(VolumeSlices.ExtractValues(session.Labels, session.Dims, 2, k), v => Assert.Equal(0, v)));
    }

    [Fact]
    public void Propagation_stops_at_a_slice_the_user_clicked_and_leaves_it_as_it_is()
    {
        using var learner = Learner(seesStructure: true);
        using var session = new VolumeSession(learner, Image());
        session.AddClick(PositiveClickOn(2));
        session.AddClick(new VolumeClick(2, 30, 30, 4, 0));
        var userSlice = VolumeSlices.ExtractValues(session.Labels, session.Dims, 2, 4);

        var outcome = session.Propagate(2, 2);

        Assert.Equal([1, 0, 3], outcome.Proposed);
        Assert.Equal("slice 4 is the user's (clicked or accepted)", outcome.StopAbove);
        Assert.Equal(userSlice, VolumeSlices.ExtractValues(session.Labels, session.Dims, 2, 4));
    }

    [Fact]
    public void A_click_on_a_proposal_corrects_it_starting_from_the_proposals_seeds()
    {
        using var learner = Learner(seesStructure: true);
        using var session = new VolumeSession(learner, Image());
        session.AddClick(PositiveClickOn(2));
        session.Propagate(2, 2);

        session.AddClick(new VolumeClick(2, 5, 5, 3, 0));

        Assert.False(session.IsProposal(2, 3));
        var clicks = session.Clicks().Single(c => c.Slice == 3).Clicks;
        Assert.Equal(2, clicks.Count); // the proposal's one seed, then the correction
        Assert.Equal(new Click(5, 5, 0, 2, 3), clicks[^1]);
    }

    [Fact]
    public void Accepting_a_slice_learns_from_it_at_once_and_the_session_commit_does_not_learn_from_it_again()
    {
        using var learner = Learner(seesStructure: true, strategy: "pi");
        using var session = new VolumeSession(learner, Image());
        session.AddClick(PositiveClickOn(2));

        var accepted = session.AcceptSlice(2, 2);
        long version = learner.Version;
        var committed = session.Commit();

        Assert.NotEmpty(accepted);
        Assert.True(version > 0);
        Assert.Empty(committed);
        Assert.Equal(version, learner.Version);
    }

    [Fact]
    public void Propagating_from_a_slice_without_structure_is_refused_with_what_to_do()
    {
        using var learner = Learner(seesStructure: false);
        using var session = new VolumeSession(learner, Image());

        var error = Assert.Throws<ArgumentException>(() => session.Propagate(2, 3));

        Assert.Contains("click the structure on it first", error.Message);
    }

    [Fact]
    public void The_volume_protocol_starts_on_the_slice_with_the_most_structure()
    {
        var shape = new VolumeShape(8, 8, 3);
        var truth = new byte[shape.VoxelCount];
        for (int y = 2; y < 5; y++) for (int x = 2; x < 5; x++) truth[shape.IndexOf(x, y, 0)] = 1;
        for (int y = 1; y < 6; y++) for (int x = 1; x < 6; x++) truth[shape.IndexOf(x, y, 1)] = 1;

        Assert.Equal(new VolumeClick(2, 3, 3, 1, 1), VolumeProtocol.FirstClick(truth, shape));
    }

    [Fact]
    public void The_volume_protocol_records_3D_Dice_after_each_click_with_propagation()
    {
        using var learner = Learner(seesStructure: true);
        var image = Image();
        var truth = new byte[image.VoxelCount];
        for (int v = 0; v < truth.Length; v++) truth[v] = image.Channels[0][v] > image.Channels[0].Average() ? (byte)1 : (byte)0;

        var result = VolumeProtocol.Run(learner, "phantom", image, truth, clicks: 3, PropagationSeeding.Default);

        Assert.InRange(result.DicePerClick.Count, 1, 3);
        Assert.True(result.ProposedSlices >= Depth - 1, $"the first click alone should propose the other {Depth - 1} slices, proposed {result.ProposedSlices}");
        Assert.All(result.DicePerClick, d => Assert.InRange(d, 0, 1));
    }
}

/// <summary>Pre-labelling seeded by propagation, with the tiny model biased as in <see cref="PropagationTests"/>.</summary>
public class PropagatedProposalTests
{
    [Fact]
    public void Seeded_pre_labels_reach_every_slice_the_structure_continues_through()
    {
        var (network, card) = TinyModels.Create();
        using (no_grad()) network.named_parameters().Single(p => p.name == "outputs.bias").parameter.copy_(tensor(new[] { -50f, 50f }));
        using var learner = new OnlineLearner(network, card, "none");
        var image = Phantom.Generate3D(TinyModels.Size, TinyModels.Size, 5, seed: 1).Image;

        var labels = PropagatedProposal.Propose(learner, new Inference.VolumeProposer(network, card.ToTask()), image);

        Assert.All(labels, v => Assert.Equal(1, v));
    }

    [Fact]
    public void A_volume_where_the_model_finds_nothing_is_labelled_background()
    {
        var (network, card) = TinyModels.Create();
        using (no_grad()) network.named_parameters().Single(p => p.name == "outputs.bias").parameter.copy_(tensor(new[] { 50f, -50f }));
        using var learner = new OnlineLearner(network, card, "none");
        var image = Phantom.Generate3D(TinyModels.Size, TinyModels.Size, 5, seed: 1).Image;

        Assert.All(PropagatedProposal.Propose(learner, new Inference.VolumeProposer(network, card.ToTask()), image), v => Assert.Equal(0, v));
    }
}
