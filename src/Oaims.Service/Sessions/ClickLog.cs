using System.Text.Json;
using Oaims.Imaging;
using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Sessions;

namespace Oaims.Service.Sessions;

/// <summary>
/// What a session did, click by click, for the record a datastore keeps with each accepted label: every click still in
/// effect (undone ones are taken out), the slice's mask right after it, the adaptation steps it caused and the model
/// version after it; at commit, the post-interaction steps. <see cref="ToJson"/> scores each click's mask against the
/// accepted one (Dice of the target class on that click's slice).
/// </summary>
public sealed class ClickLog
{
    readonly List<Entry> _clicks = [];

    sealed record Entry(VolumeClick Click, int Slice, byte[] SliceAfter, IReadOnlyList<AdaptationStep> Steps, long ModelVersion, DateTimeOffset When);

    /// <summary>Records a click and the slice's labels after it.</summary>
    public void Add(VolumeClick click, int slice, byte[] labels, int[] dims, IReadOnlyList<AdaptationStep> steps, long modelVersion) =>
        _clicks.Add(new Entry(click, slice, VolumeSlices.ExtractValues(labels, dims, click.Axis, slice), steps, modelVersion, DateTimeOffset.UtcNow));

    /// <summary>Takes the last click out (it was undone).</summary>
    public void RemoveLast()
    {
        if (_clicks.Count > 0) _clicks.RemoveAt(_clicks.Count - 1);
    }

    /// <summary>The record as JSON (snake_case), the Dice of every click computed against <paramref name="accepted"/>.</summary>
    public string ToJson(byte[] accepted, int[] dims, int targetClass, string workspace, long modelVersionAtOpen,
                         IReadOnlyList<AdaptationStep> commitSteps, long modelVersionAfterCommit)
    {
        var target = new Structure("target", [targetClass]);
        var record = new
        {
            format = "oaims-click-log/1",
            workspace,
            target_class = targetClass,
            model_version_at_open = modelVersionAtOpen,
            model_version_after_commit = modelVersionAfterCommit,
            committed = DateTimeOffset.UtcNow,
            clicks = _clicks.Select((c, n) => new
            {
                index = n + 1,
                axis = c.Click.Axis, i = c.Click.I, j = c.Click.J, k = c.Click.K, slice = c.Slice, @class = c.Click.Class,
                at = c.When,
                dice_to_final = Dice.Of(Ints(VolumeSlices.ExtractValues(accepted, dims, c.Click.Axis, c.Slice)), Ints(c.SliceAfter), target),
                model_version = c.ModelVersion,
                steps = c.Steps.Select(Step),
            }),
            commit_steps = commitSteps.Select(Step),
        };
        return JsonSerializer.Serialize(record, new JsonSerializerOptions { WriteIndented = true });
    }

    static object Step(AdaptationStep s) => new { index = s.Index, kind = s.Kind, loss = double.IsFinite(s.Loss) ? s.Loss : (double?)null, milliseconds = s.Milliseconds, version = s.Version, applied = s.Applied };

    static int[] Ints(byte[] labels) => Array.ConvertAll(labels, b => (int)b);
}
