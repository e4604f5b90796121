using Oaims.Service.Images;

namespace Oaims.Service.Tests;

public sealed class DeclaredSizeTests
{
    [Fact]
    public void A_product_past_the_limit_is_null_even_where_64_bits_would_wrap_around()
    {
        Assert.Null(DeclaredSize.ProductWithin(long.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue));
        Assert.Null(DeclaredSize.ProductWithin(long.MaxValue, 1L << 21, 1L << 21, 1L << 21)); // 2^63: wraps to long.MinValue
        Assert.Equal(300_000, DeclaredSize.ProductWithin(300_000, 100, 100, 30));
        Assert.Null(DeclaredSize.ProductWithin(300_000, 100, 100, 31));
        Assert.Equal(0, DeclaredSize.ProductWithin(10, int.MaxValue, 0, int.MaxValue));
    }

    [Fact]
    public void The_fault_injection_dims_whose_product_wraps_to_524288_are_too_large_not_small()
    {
        // 1073774592 x 1073709057 x 16 = 524 288 modulo 2^64: a default server once took it for a 0.5 MB image.
        var description = new ImageDescription([1073774592, 1073709057, 16], 1, UploadVoxelType.UInt8, ImageDescription.Identity, null, null);
        var e = Assert.Throws<LimitExceededException>(() => description.Validate(new ServiceLimits()));
        Assert.Contains("1073774592x1073709057x16", e.Message);
        Assert.Throws<LimitExceededException>(() => description.VoxelCount);
    }

    [Fact]
    public void Channels_and_voxel_size_count_toward_the_upload_limit_without_wrapping()
    {
        var limits = new ServiceLimits { MaxVoxels = long.MaxValue / 2, MaxUploadBytes = 1L << 30 };
        // 2^61 voxels pass the voxel limit; x 4 channels x 4 bytes = 2^65 bytes, which a 64-bit product would wrap to 0.
        var description = new ImageDescription([1 << 30, 1 << 30, 2], 4, UploadVoxelType.Float32, ImageDescription.Identity, null, null);
        var e = Assert.Throws<LimitExceededException>(() => description.Validate(limits));
        Assert.Contains("bytes", e.Message);
    }
}
