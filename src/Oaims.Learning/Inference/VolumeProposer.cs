using Oaims.Imaging;
using Oaims.Learning.Data;
using Oaims.Learning.Network;
using static TorchSharp.torch;

namespace Oaims.Learning.Inference;

/// <summary>
/// Click-free proposals for every slice of a volume (batch pre-labelling): the volume is normalised once, its slices
/// go through the network several at a time, and the label volume comes back at native size, voxel for voxel.
/// </summary>
/// <remarks>
/// The proposals are the ones a <see cref="Predictor"/> with no clicks gives, whatever the batch: InstanceNorm makes each
/// slice independent of the others in its batch. Batches pay off on a GPU; on the 2-core CPU here one slice at a time was
/// fastest (docs/benchmarks.md, pre-labelling), so the batch is the caller's choice.
/// </remarks>
public sealed class VolumeProposer
{
    /// <summary>The axis slices are cut along (axial for BraTS and most scans), as the brain data is read.</summary>
    public const int SliceAxis = 2;

    readonly InteractiveUNet _network;
    readonly SegmentationTask _task;

    public VolumeProposer(InteractiveUNet network, SegmentationTask task, int batchSize = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _network = network; _task = task; BatchSize = batchSize;
    }

    public SegmentationTask Task => _task;

    /// <summary>Slices per forward pass.</summary>
    public int BatchSize { get; }

    /// <summary>The label of every voxel (0 = background), x fastest like the image; <paramref name="slicesDone"/> hears each batch's size.</summary>
    /// <exception cref="ArgumentException">The image has another channel count than the model expects.</exception>
    public byte[] Propose(Volume image, Action<int>? slicesDone = null)
    {
        var normalised = IntensityNormaliser.NormalisedCopy(image, _task);
        var labels = new byte[image.VoxelCount];
        int depth = image.Dims[SliceAxis];
        for (int first = 0; first < depth; first += BatchSize)
        {
            int count = Math.Min(BatchSize, depth - first);
            var batch = Enumerable.Range(first, count).ToArray();
            using var inputs = Inputs(normalised, batch);
            WriteLabels(labels, image.Dims, batch, Forward(inputs));
            slicesDone?.Invoke(count);
        }
        return labels;
    }

    /// <summary>(N, C + K, S, S) click-free network inputs for the given slices of a normalised volume.</summary>
    public Tensor Inputs(Volume normalised, IReadOnlyList<int> slices)
    {
        using var scope = NewDisposeScope();
        var (width, height) = VolumeSlices.SliceShape(normalised.Dims, SliceAxis);
        var fitting = InputFitting.For(_task, width, height);
        var device = _network.Device;
        if (fitting.IsPadOrCrop)
        {
            // The guidance maps of no clicks are zeros: the buffer's own.
            int channels = normalised.ChannelCount, size = _task.InputSize, perSlice = (channels + _task.Classes) * size * size;
            var buffer = new float[slices.Count * perSlice];
            for (int n = 0; n < slices.Count; n++)
                fitting.PadInto(VolumeSlices.ExtractPlanar(normalised, SliceAxis, slices[n]), channels, buffer.AsSpan(n * perSlice, channels * size * size));
            return tensor(buffer, [slices.Count, channels + _task.Classes, size, size], device: device).MoveToOuterDisposeScope();
        }
        var fitted = slices.Select(k => ModelInput.Build(fitting.Image(VolumeSlices.ExtractPlanar(normalised, SliceAxis, k), normalised.ChannelCount), [], _task.Classes)).ToArray();
        return stack(fitted).to(device).MoveToOuterDisposeScope();
    }

    /// <summary>Native-size labels (N, H, W) of a batch of inputs: the bare forward pass plus the way back to native pixels.</summary>
    Tensor Forward(Tensor inputs)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = _network.forward(inputs);
        return logits.MoveToOuterDisposeScope();
    }

    void WriteLabels(byte[] labels, int[] dims, int[] slices, Tensor modelLogits)
    {
        using var scope = NewDisposeScope();
        using var owned = modelLogits;
        var (width, height) = VolumeSlices.SliceShape(dims, SliceAxis);
        var fitting = InputFitting.For(_task, width, height);
        using var noGrad = no_grad();
        int plane = width * height;
        if (fitting.IsPadOrCrop)
        {
            int square = _task.InputSize * _task.InputSize;
            var modelLabels = ArgmaxOverClasses(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(modelLogits.cpu().contiguous().bytes), slices.Length, _task.Classes, square);
            var slice = new byte[plane];
            for (int n = 0; n < slices.Length; n++)
            {
                fitting.LabelsBack(modelLabels.AsSpan(n * square, square), slice);
                VolumeSlices.InsertValues<byte>(labels, dims, SliceAxis, slices[n], slice);
            }
            return;
        }
        var native = fitting.Logits(modelLogits).argmax(1).to_type(ScalarType.Byte).cpu();
        var values = native.data<byte>().ToArray();
        for (int n = 0; n < slices.Length; n++)
            VolumeSlices.InsertValues<byte>(labels, dims, SliceAxis, slices[n], values.AsSpan(n * plane, plane));
    }

    // The class of highest logit per pixel of (N, K, S*S) logits. In managed code: LibTorch's argmax over the class axis
    // (strided, a parallel region per call) took 10 ms a slice here, a sixth of the forward pass itself.
    static byte[] ArgmaxOverClasses(ReadOnlySpan<float> logits, int count, int classes, int square)
    {
        var labels = new byte[count * square];
        for (int n = 0; n < count; n++)
        {
            int batchStart = n * classes * square;
            var best = logits.Slice(batchStart, square).ToArray();
            var label = labels.AsSpan(n * square, square);
            for (int k = 1; k < classes; k++)
            {
                var scores = logits.Slice(batchStart + k * square, square);
                for (int i = 0; i < square; i++)
                    if (scores[i] > best[i]) { best[i] = scores[i]; label[i] = (byte)k; }
            }
        }
        return labels;
    }

    /// <summary>Bare forward passes over prepared inputs, one slice at a time (the baseline the pre-labelling rate is compared with).</summary>
    public void ForwardOneByOne(Tensor inputs)
    {
        using var noGrad = no_grad();
        for (long n = 0; n < inputs.shape[0]; n++)
        {
            using var one = inputs[TensorIndex.Slice(n, n + 1)];
            using var logits = _network.forward(one);
        }
    }
}
