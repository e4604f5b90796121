using System.CommandLine;
using Oaims.Imaging;

namespace Oaims.Cli;

/// <summary>`oaims convert IN OUT [--dtype T]`: rewrites an image in the format OUT's extension names, keeping its geometry.</summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "image to read (.nii, .nii.gz, .hdr, .nrrd, .nhdr, .png)" };
        var output = new Argument<string>("output") { Description = "image to write (.nii, .nii.gz, .nrrd, .nhdr, .png)" };
        var dtype = new Option<string?>("--dtype")
        {
            Description = "element type to store: uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64 (default float32; uint8 for PNG); integers round half to even and clamp",
        };
        var command = new Command("convert", "Convert an image between NIfTI, NRRD and PNG, keeping voxels and geometry.");
        command.Arguments.Add(input);
        command.Arguments.Add(output);
        command.Options.Add(dtype);
        command.SetAction(parse => InfoCommand.Run(() =>
        {
            string? typeName = parse.GetValue(dtype);
            VoxelType? type = typeName is null ? null : VoxelTypes.Parse(typeName);
            string outPath = parse.GetValue(output)!;
            var volume = VolumeIO.Read(parse.GetValue(input)!);
            VolumeIO.Write(volume, outPath, type);
            Console.WriteLine($"wrote {outPath} ({string.Join("x", volume.Dims)}, {volume.ChannelCount} channel{(volume.ChannelCount == 1 ? "" : "s")}, {(type ?? DefaultType(outPath)).Name()})");
            return 0;
        }));
        return command;
    }

    private static VoxelType DefaultType(string path) => VolumeIO.Extension(path) == ".png" ? VoxelType.UInt8 : VoxelType.Float32;
}
