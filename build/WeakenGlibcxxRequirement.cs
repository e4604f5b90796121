// MSBuild inline task (see LibTorchCompat.targets). TorchSharp's libLibTorchSharp.so is
// built with GCC 13 and asks for GLIBCXX_3.4.32 for one symbol it never calls
// (std::ios_base_library_init, bound lazily). On systems whose libstdc++ stops at
// 3.4.30 (Debian 12) the loader refuses the whole library. Marking that version
// requirement VER_FLG_WEAK in our copy of the .so turns the refusal into a no-op.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenGlibcxxRequirement : Task
{
    const string Version = "GLIBCXX_3.4.32";
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlagWeak = 0x2;

    [Required] public string LibraryPath { get; set; } = "";

    public override bool Execute()
    {
        if (!File.Exists(LibraryPath)) return true;
        if (SystemLibStdCxxHasVersion())
        {
            Log.LogMessage(MessageImportance.Low, $"System libstdc++ provides {Version}; {LibraryPath} left as is.");
            return true;
        }
        byte[] elf = File.ReadAllBytes(LibraryPath);
        int changed = WeakenVersionNeed(elf);
        if (changed < 0) { Log.LogWarning($"{LibraryPath} is not a 64-bit little-endian ELF file; not patched."); return true; }
        if (changed > 0)
        {
            string temp = LibraryPath + ".tmp";
            File.WriteAllBytes(temp, elf);
            File.Delete(LibraryPath); // netstandard2.0 (the inline task's target) has no Move overwrite
            File.Move(temp, LibraryPath);
            Log.LogMessage(MessageImportance.High, $"Marked {Version} weak in {LibraryPath} (system libstdc++ lacks it).");
        }
        return true;
    }

    static bool SystemLibStdCxxHasVersion()
    {
        string[] dirs = { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib" };
        byte[] needle = Encoding.ASCII.GetBytes(Version + "\0");
        foreach (string dir in dirs)
        {
            string path = Path.Combine(dir, "libstdc++.so.6");
            if (File.Exists(path)) return IndexOf(File.ReadAllBytes(path), needle) >= 0;
        }
        return true; // no libstdc++ found: nothing we can reason about, leave the library alone
    }

    /// Returns how many version-need entries were changed, or -1 if the file is not ELF64 LE.
    static int WeakenVersionNeed(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F' || elf[4] != 2 || elf[5] != 1)
            return -1;
        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        int changed = 0;
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = BitConverter.ToInt64(elf, (int)sh + 0x18);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            int count = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            long strtab = BitConverter.ToInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);
            long need = offset;
            for (int n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    long name = strtab + BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadCString(elf, name) == Version)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlagWeak) == 0)
                        {
                            BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(elf, (int)aux + 4);
                            changed++;
                        }
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }
        return changed;
    }

    static string ReadCString(byte[] data, long start)
    {
        long end = start;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, (int)start, (int)(end - start));
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i <= haystack.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }
}
