using Oaims.Interaction;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Oaims.Learning.Data;

/// <summary>
/// Maps one native-size slice onto the model's square input and back: the image and labels forward,
/// clicks forward, logits back, so that masks land on exactly the native pixels.
/// </summary>
public sealed class InputFitting
{
    readonly int _size, _width, _height, _offsetX, _offsetY;
    readonly InputFit _fit;

    public InputFitting(InputFit fit, int modelSize, int width, int height)
    {
        _fit = fit; _size = modelSize; _width = width; _height = height;
        _offsetX = (modelSize - width) / 2;
        _offsetY = (modelSize - height) / 2;
    }

    public static InputFitting For(SegmentationTask task, int width, int height) => new(task.Fit, task.InputSize, width, height);

    /// <summary>(C, S, S) float tensor of the slice's planar channels on the device (null: LibTorch's default); padding takes each channel's minimum.</summary>
    public Tensor Image(float[] planar, int channels, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var native = tensor(planar, [1, channels, _height, _width], device: device);
        Tensor fitted;
        if (_fit == InputFit.Resize)
        {
            // Area averaging when shrinking avoids aliasing; bilinear when enlarging.
            var mode = _size < _width ? InterpolationMode.Area : InterpolationMode.Bilinear;
            fitted = F.interpolate(native, [_size, _size], mode: mode, align_corners: mode == InterpolationMode.Area ? null : false);
        }
        else
        {
            var minimum = native.amin([2, 3], keepdim: true);
            fitted = minimum.expand(1, channels, _size, _size).clone();
            CopyOverlap(native, fitted);
        }
        return fitted.squeeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>(S, S) int64 labels on the device (null: LibTorch's default; nearest neighbour when resizing; background where padded).</summary>
    public Tensor Labels(LabelMap truth, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var native = tensor(truth.Labels, [1, 1, _height, _width], device: device).to_type(ScalarType.Float32);
        Tensor fitted;
        if (_fit == InputFit.Resize)
            fitted = F.interpolate(native, [_size, _size], mode: InterpolationMode.Nearest);
        else
        {
            fitted = zeros(1, 1, _size, _size, device: native.device);
            CopyOverlap(native, fitted);
        }
        return fitted.squeeze(0).squeeze(0).to_type(ScalarType.Int64).MoveToOuterDisposeScope();
    }

    /// <summary>The model-grid pixel of a native click (null if cropping removed it).</summary>
    public Click? Click(Click native)
    {
        int x, y;
        if (_fit == InputFit.Resize)
        {
            x = Math.Min(_size - 1, (int)((native.X + 0.5) * _size / _width));
            y = Math.Min(_size - 1, (int)((native.Y + 0.5) * _size / _height));
        }
        else
        {
            x = native.X + _offsetX; y = native.Y + _offsetY;
            if ((uint)x >= (uint)_size || (uint)y >= (uint)_size) return null;
        }
        return native with { X = x, Y = y };
    }

    public List<Click> Clicks(IEnumerable<Click> native) => native.Select(Click).OfType<Click>().ToList();

    /// <summary>(N, C, H, W) native-size logits from (N, C, S, S) model logits.</summary>
    public Tensor Logits(Tensor modelLogits)
    {
        if (_fit == InputFit.Resize)
            return F.interpolate(modelLogits, [_height, _width], mode: InterpolationMode.Bilinear, align_corners: false);
        using var scope = NewDisposeScope();
        long n = modelLogits.shape[0], classes = modelLogits.shape[1];
        // Native pixels the crop dropped are called background.
        var native = zeros(n, classes, _height, _width, device: modelLogits.device);
        native[.., 0] = 1e4f;
        CopyOverlapBack(modelLogits, native);
        return native.MoveToOuterDisposeScope();
    }

    /// <summary>True when <see cref="PadInto"/> and <see cref="LabelsBack"/> apply (padding or cropping, no resizing).</summary>
    public bool IsPadOrCrop => _fit == InputFit.PadOrCrop;

    /// <summary>
    /// As <see cref="Image"/> for padding/cropping, without torch: the (C, S, S) image written into <paramref name="destination"/>.
    /// Batch pre-labelling builds its inputs this way: one tensor per batch instead of several small tensor operations per slice,
    /// each of which is a parallel region that waits for both cores on a busy machine.
    /// </summary>
    public void PadInto(float[] planar, int channels, Span<float> destination)
    {
        if (!IsPadOrCrop) throw new InvalidOperationException("Only a padded or cropped input is built without torch.");
        var (nx, mx, w) = Span(_offsetX, _width);
        var (ny, my, h) = Span(_offsetY, _height);
        int plane = _width * _height, square = _size * _size;
        for (int c = 0; c < channels; c++)
        {
            var native = planar.AsSpan(c * plane, plane);
            var model = destination.Slice(c * square, square);
            float minimum = float.PositiveInfinity;
            foreach (float v in native) minimum = Math.Min(minimum, v);
            model.Fill(minimum);
            for (int y = 0; y < h; y++)
                native.Slice((ny + y) * _width + nx, w).CopyTo(model.Slice((my + y) * _size + mx, w));
        }
    }

    /// <summary>Native labels from model-grid labels (S x S) for padding/cropping: background where the crop dropped pixels.</summary>
    public void LabelsBack(ReadOnlySpan<byte> model, Span<byte> native)
    {
        if (!IsPadOrCrop) throw new InvalidOperationException("Only a padded or cropped input maps labels back without torch.");
        var (nx, mx, w) = Span(_offsetX, _width);
        var (ny, my, h) = Span(_offsetY, _height);
        native.Clear();
        for (int y = 0; y < h; y++)
            model.Slice((my + y) * _size + mx, w).CopyTo(native.Slice((ny + y) * _width + nx, w));
    }

    // Copies the overlapping window of a native (.., H, W) tensor into a model (.., S, S) tensor.
    void CopyOverlap(Tensor native, Tensor model)
    {
        var (nx, mx, w) = Span(_offsetX, _width);
        var (ny, my, h) = Span(_offsetY, _height);
        model[.., .., TensorIndex.Slice(my, my + h), TensorIndex.Slice(mx, mx + w)] =
            native[.., .., TensorIndex.Slice(ny, ny + h), TensorIndex.Slice(nx, nx + w)];
    }

    void CopyOverlapBack(Tensor model, Tensor native)
    {
        var (nx, mx, w) = Span(_offsetX, _width);
        var (ny, my, h) = Span(_offsetY, _height);
        native[.., .., TensorIndex.Slice(ny, ny + h), TensorIndex.Slice(nx, nx + w)] =
            model[.., .., TensorIndex.Slice(my, my + h), TensorIndex.Slice(mx, mx + w)];
    }

    // Start in native, start in model, and length of the shared window along one axis.
    (int native, int model, int length) Span(int offset, int nativeLength) =>
        offset >= 0 ? (0, offset, nativeLength) : (-offset, 0, _size);
}
