namespace Oaims.Imaging.Tests;

/// <summary>A durable folder changes only as a whole: a save cut off anywhere leaves the previous version in force.</summary>
public sealed class DurableFolderTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"oaims-durable-{Guid.NewGuid():N}");

    static Action<string> Writing(string content) => folder =>
    {
        File.WriteAllText(Path.Combine(folder, "a.txt"), content);
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        File.WriteAllText(Path.Combine(folder, "sub", "b.txt"), content + "!");
    };

    static string Content(DurableFolder.OpenedVersion version) => File.ReadAllText(Path.Combine(version.Folder, "a.txt"));

    [Fact]
    public void Each_save_becomes_the_version_in_force_and_only_the_last_few_are_kept()
    {
        var folder = new DurableFolder(_root);
        Assert.False(folder.Exists);
        Assert.Null(folder.Open());
        for (int i = 1; i <= 4; i++) folder.Save(Writing($"save {i}"), keep: 2);
        var opened = folder.Open()!;
        Assert.Equal(("save 4", "v000004", null), (Content(opened), opened.Name, opened.Warning));
        Assert.Equal(["v000003", "v000004"], Directory.GetDirectories(_root).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_save_that_fails_half_way_leaves_the_previous_version_and_no_leftovers()
    {
        var folder = new DurableFolder(_root);
        folder.Save(Writing("good"));
        Assert.Throws<IOException>(() => folder.Save(f => { Writing("half")(f); throw new IOException("disk full"); }));
        Assert.Equal("good", Content(folder.Open()!));
        Assert.Equal(["CURRENT", "v000001"], Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void The_next_save_removes_what_a_save_cut_off_by_a_crash_left()
    {
        var folder = new DurableFolder(_root);
        folder.Save(Writing("first"));
        Directory.CreateDirectory(Path.Combine(_root, ".v000002.dead.tmp"));
        folder.Save(Writing("second"));
        Assert.Equal(["CURRENT", "v000001", "v000002"], Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Saves_into_one_folder_from_several_threads_each_get_their_own_version()
    {
        var folder = new DurableFolder(_root);
        Parallel.For(0, 8, i => folder.Save(Writing($"save {i}"), keep: 10));
        Assert.Equal(8, Directory.GetDirectories(_root).Length);
        Assert.Null(folder.Open()!.Warning);
    }

    [Fact]
    public void A_damaged_version_is_detected_and_the_last_good_one_loaded_with_a_warning()
    {
        var folder = new DurableFolder(_root);
        folder.Save(Writing("good"));
        string damaged = folder.Save(Writing("newer"));
        File.WriteAllText(Path.Combine(damaged, "sub", "b.txt"), "torn");
        var opened = folder.Open()!;
        Assert.Equal("good", Content(opened));
        Assert.Contains("v000002/sub/b.txt does not match its manifest hash", opened.Warning);
    }

    [Fact]
    public void A_version_without_its_manifest_or_a_missing_file_does_not_count()
    {
        var folder = new DurableFolder(_root);
        folder.Save(Writing("good"));
        string second = folder.Save(Writing("newer"));
        File.Delete(Path.Combine(second, "a.txt"));
        Assert.Contains("v000002 lacks a.txt", folder.Open()!.Warning);
        File.Delete(Path.Combine(second, DurableFolder.ManifestFile));
        Assert.Equal("good", Content(folder.Open()!));
    }

    [Fact]
    public void A_damaged_pointer_falls_back_to_the_newest_intact_version()
    {
        var folder = new DurableFolder(_root);
        folder.Save(Writing("first"));
        folder.Save(Writing("second"));
        File.WriteAllText(Path.Combine(_root, DurableFolder.PointerFile), "v0000\u0000garbage");
        var opened = folder.Open()!;
        Assert.Equal("second", Content(opened));
        Assert.Contains("pointer is damaged", opened.Warning);
    }

    [Fact]
    public void Orphans_of_a_crashed_save_are_cleaned_and_an_unswitched_version_never_counts()
    {
        var folder = new DurableFolder(_root);
        folder.Save(Writing("acknowledged"));
        // A crash between the folder's rename and the pointer switch: complete, but never acknowledged.
        string unswitched = folder.Save(Writing("unacknowledged"));
        File.WriteAllText(Path.Combine(_root, DurableFolder.PointerFile), "v000001\n");
        Directory.CreateDirectory(Path.Combine(_root, ".v000003.0123.tmp"));
        File.WriteAllText(Path.Combine(_root, ".CURRENT.4567.tmp"), "v0");
        var removed = folder.CleanOrphans();
        Assert.Equal([".CURRENT.4567.tmp", ".v000003.0123.tmp", "v000002"], removed.Order());
        Assert.False(Directory.Exists(unswitched));
        Assert.Equal("acknowledged", Content(folder.Open()!));
    }

    [Fact]
    public void Nothing_intact_is_diagnosed_rather_than_opened()
    {
        var folder = new DurableFolder(_root);
        string only = folder.Save(Writing("only"));
        File.WriteAllText(Path.Combine(only, "a.txt"), "changed");
        Assert.Null(folder.Open());
        Assert.Contains("does not match", folder.Diagnose());
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
