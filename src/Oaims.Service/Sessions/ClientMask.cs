using Oaims.Interaction;
using Oaims.Service.Workspaces;

namespace Oaims.Service.Sessions;

/// <summary>
/// A mask a client sends: the segment a session starts from, or the mask the user accepts at commit (hand edits).
/// Boxes of labels, each checked against the image and the model's classes and decoded before any work is queued,
/// so a bad mask is refused with a sentence while the session's mask and the model stay as they were.
/// </summary>
public sealed class ClientMask
{
    readonly IReadOnlyList<(VoxelBox Box, byte[] Labels)> _boxes;

    ClientMask(IReadOnlyList<(VoxelBox Box, byte[] Labels)> boxes) => _boxes = boxes;

    /// <summary>Voxels the boxes cover (a voxel in two boxes counts twice).</summary>
    public long VoxelCount => _boxes.Sum(b => b.Box.VoxelCount);

    /// <summary>
    /// Checks and decodes the boxes; null when there are none (no mask sent). <paramref name="what"/> names the mask in
    /// sentences ("the initial mask"). Boxes without a box are empty deltas and change nothing, as on the way out.
    /// </summary>
    public static ClientMask? Read(IReadOnlyList<MaskDelta> deltas, VolumeShape image, LoadedModel model, string what)
    {
        if (deltas.Count == 0) return null;
        var boxes = new List<(VoxelBox, byte[])>();
        long voxels = 0;
        for (int n = 0; n < deltas.Count; n++)
        {
            if (deltas[n].Box is not VoxelBox box) continue;
            string which = deltas.Count == 1 ? Capitalised(what) : $"Box {n + 1} of {what}";
            if (!image.Contains(box))
                throw new ArgumentException($"{which} (i {box.MinX}..{box.MaxX}, j {box.MinY}..{box.MaxY}, k {box.MinZ}..{box.MaxZ}) " +
                    $"does not lie inside the {image.Width}x{image.Height}x{image.Depth} image.");
            // Boxes may overlap, but not without bound: a few bytes of zeros must not make the server write the volume many times over.
            voxels += box.VoxelCount;
            if (voxels > image.VoxelCount)
                throw new ArgumentException($"The boxes of {what} hold more voxels than the {image.Width}x{image.Height}x{image.Depth} image ({image.VoxelCount}): send each voxel once.");
            byte[] labels;
            try { labels = deltas[n].Labels(); }
            catch (InvalidDataException e) { throw new ArgumentException($"{which} cannot be read: {e.Message}"); }
            EnsureClasses(labels, model, which);
            boxes.Add((box, labels));
        }
        return new ClientMask(boxes);
    }

    /// <summary>Refuses labels the model has no class for; <paramref name="which"/> names them in the sentence.</summary>
    public static void EnsureClasses(byte[] labels, LoadedModel model, string which)
    {
        int classes = model.Task.Classes;
        if (labels.Length > 0 && labels.Max() is var highest && highest >= classes)
            throw new ArgumentException($"{which} holds label {highest}, but model '{model.Name}' knows {classes} classes " +
                $"(0 to {classes - 1}: {string.Join(", ", model.Task.ClassNames)}).");
    }

    /// <summary>Writes the boxes, in order, into a label volume of the image's shape.</summary>
    public void WriteInto(byte[] labels, VolumeShape image)
    {
        foreach (var (box, inBox) in _boxes)
        {
            int i = 0;
            for (int z = box.MinZ; z <= box.MaxZ; z++)
                for (int y = box.MinY; y <= box.MaxY; y++, i += box.Width)
                    inBox.AsSpan(i, box.Width).CopyTo(labels.AsSpan(image.IndexOf(box.MinX, y, z), box.Width));
        }
    }

    static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
