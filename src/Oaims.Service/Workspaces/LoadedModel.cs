using Oaims.Learning.Checkpoints;

namespace Oaims.Service.Workspaces;

/// <summary>A checkpoint the server offers as a workspace source: its folder and its card.</summary>
public sealed record LoadedModel(string Name, string Directory, ModelCard Card)
{
    public Learning.Data.SegmentationTask Task { get; } = Card.ToTask();
}
