using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Oaims.Learning.Checkpoints;

/// <summary>
/// Reads and writes float32 tensors in the safetensors format (8-byte little-endian header length,
/// a JSON header of names, dtypes, shapes and byte ranges, then the raw little-endian data).
/// </summary>
public static class Safetensors
{
    /// <summary>One named float32 tensor, row-major.</summary>
    public sealed record Entry(string Name, long[] Shape, float[] Data);

    const long MaxHeaderBytes = 16 << 20;

    public static byte[] Serialize(IEnumerable<Entry> entries, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        var list = entries.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        long offset = 0;
        foreach (var e in list)
        {
            long bytes = e.Data.LongLength * 4;
            header[e.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(e.Shape.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + bytes)),
            };
            offset += bytes;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8; // the format pads the header with spaces to 8-byte alignment
        var output = new byte[8 + padded + offset];
        BinaryPrimitives.WriteInt64LittleEndian(output, padded);
        json.CopyTo(output, 8);
        for (int i = 8 + json.Length; i < 8 + padded; i++) output[i] = (byte)' ';
        long position = 8 + padded;
        foreach (var e in list)
        {
            foreach (float v in e.Data) { BinaryPrimitives.WriteSingleLittleEndian(output.AsSpan((int)position), v); position += 4; }
        }
        return output;
    }

    public static (List<Entry> Entries, Dictionary<string, string> Metadata) Deserialize(byte[] bytes, string nameForErrors)
    {
        if (bytes.Length < 8) throw new InvalidDataException($"{nameForErrors} is too short to be a safetensors file.");
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > bytes.Length)
            throw new InvalidDataException($"{nameForErrors} has an invalid safetensors header length ({headerLength}).");
        var header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength))?.AsObject()
                     ?? throw new InvalidDataException($"{nameForErrors} has an empty safetensors header.");
        long dataStart = 8 + headerLength;
        var metadata = new Dictionary<string, string>();
        var entries = new List<Entry>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node!.AsObject()) metadata[k] = v!.GetValue<string>();
                continue;
            }
            var obj = node!.AsObject();
            string dtype = obj["dtype"]!.GetValue<string>();
            if (dtype != "F32") throw new InvalidDataException($"{nameForErrors}: tensor '{name}' is {dtype}; only F32 is supported.");
            long[] shape = obj["shape"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            long begin = obj["data_offsets"]![0]!.GetValue<long>(), end = obj["data_offsets"]![1]!.GetValue<long>();
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (begin < 0 || end < begin || end - begin != count * 4 || dataStart + end > bytes.Length)
                throw new InvalidDataException($"{nameForErrors}: tensor '{name}' has byte range {begin}..{end} that does not fit its shape or the file.");
            var data = new float[count];
            for (long i = 0; i < count; i++)
                data[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)(dataStart + begin + i * 4)));
            entries.Add(new Entry(name, shape, data));
        }
        return (entries, metadata);
    }
}
