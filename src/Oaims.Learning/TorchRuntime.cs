using System.Runtime.InteropServices;
using TorchSharp;

namespace Oaims.Learning;

/// <summary>Loads LibTorch once, picks the compute device, and turns load failures into a clear message.</summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool _ready;

    /// <summary>
    /// Runs when this assembly loads, before any code of it can touch TorchSharp: the native environment
    /// settings below only take effect if they precede LibTorch's first use.
    /// </summary>
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void PrepareNativeEnvironment()
    {
        LimitOneDnnToAvx2();
        SleepWhileIdle();
    }

    /// <summary>Makes sure LibTorch is loaded; throws <see cref="TorchUnavailableException"/> naming the cause if not.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_ready) return;
            PrepareNativeEnvironment();
            try
            {
                // Touching the torch type runs its static constructor, which loads the native libraries.
                using var probe = torch.zeros(1);
                SkipNnpack();
                _ready = true;
            }
            catch (Exception e)
            {
                throw new TorchUnavailableException(Explain(e), e);
            }
        }
    }

    /// <summary>Resolves "auto", "cpu" or "cuda" to a device; auto takes CUDA only when LibTorch reports it.</summary>
    public static torch.Device ResolveDevice(string request)
    {
        EnsureLoaded();
        switch (request.ToLowerInvariant())
        {
            case "cpu": return torch.CPU;
            case "cuda":
                if (!torch.cuda.is_available())
                    throw new TorchUnavailableException("CUDA was requested but LibTorch reports no usable CUDA device (this build may be the CPU one: build with -p:OaimsCuda=true).");
                return torch.CUDA;
            case "auto": return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
            default: throw new ArgumentException($"Unknown device '{request}': use auto, cpu or cuda.");
        }
    }

    /// <summary>The device's name as the wire and the logs give it: "cuda" or "cpu".</summary>
    public static string NameOf(torch.Device device) => device.type == DeviceType.CUDA ? "cuda" : "cpu";

    /// <summary>Uses every core for intra-op work unless told otherwise (the default is often 1 under containers).</summary>
    public static void UseThreads(int? threads = null)
    {
        EnsureLoaded();
        torch.set_num_threads(threads ?? Environment.ProcessorCount);
    }

    // LibTorch 2.10's oneDNN AVX-512 convolution kernels return NaN input gradients in roughly a quarter
    // of backward passes on some AVX-512 CPUs (measured on this project's AMD EPYC build machine: 41 of 150
    // 3x3 conv backwards at 256x256); the AVX2 kernels are exact and within 10% as fast. oneDNN reads this
    // variable at its first primitive, so it must reach the native environment (setenv) before any torch op.
    // A value the user set is respected.
    static void LimitOneDnnToAvx2()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        if (Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") is not null) return;
        setenv("ONEDNN_MAX_CPU_ISA", "AVX2", 0);
    }

    // OpenMP threads spin while waiting for work by default. Beside another busy process (3D Slicer, a
    // second workspace, a training run) the spinning starves everyone: a forward pass measured 5x slower
    // on 2 cores. Passive waiting costs microseconds per parallel region. A value the user set is respected.
    static void SleepWhileIdle()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null) return;
        setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
    }

    // LibTorch asks NNPACK whether it initialised before each CPU convolution it might hand it (batches of 16 and
    // more), and where it did not (a CPU without AVX2 or whose caches cpuinfo cannot read) it logs "Could not initialize
    // NNPACK!" at every such convolution, thousands of times a run. oneDNN runs those convolutions anyway, so NNPACK
    // is switched off (as torch.backends.nnpack.set_flags(False) does); LibTorch then never asks it. TorchSharp has no
    // call for it, so the flag is set through LibTorch's own export (Linux: the only platform whose mangled name we know).
    static void SkipNnpack()
    {
        if (NnpackSwitch() is { } nnpack) nnpack.Set(nnpack.Context, false);
    }

    /// <summary>Whether LibTorch may use NNPACK for convolutions (false once loaded, see SkipNnpack); null where it cannot be read.</summary>
    public static bool? NnpackEnabled
    {
        get
        {
            EnsureLoaded();
            return NnpackSwitch() is { } nnpack ? nnpack.Get(nnpack.Context) : null;
        }
    }

    delegate IntPtr GlobalContext();
    delegate void SetFlag(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
    [return: MarshalAs(UnmanagedType.U1)]
    delegate bool GetFlag(IntPtr context);

    static (IntPtr Context, SetFlag Set, GetFlag Get)? NnpackSwitch()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, null, out var library)) return null;
        if (!NativeLibrary.TryGetExport(library, "_ZN2at13globalContextEv", out var context)
            || !NativeLibrary.TryGetExport(library, "_ZN2at7Context20setUserEnabledNNPACKEb", out var set)
            || !NativeLibrary.TryGetExport(library, "_ZNK2at7Context17userEnabledNNPACKEv", out var get)) return null;
        return (Marshal.GetDelegateForFunctionPointer<GlobalContext>(context)(),
                Marshal.GetDelegateForFunctionPointer<SetFlag>(set), Marshal.GetDelegateForFunctionPointer<GetFlag>(get));
    }

    [DllImport("libc", SetLastError = true)]
    static extern int setenv(string name, string value, int overwrite);

    static string Explain(Exception e)
    {
        string all = string.Join(" | ", Chain(e).Select(x => x.Message));
        if (all.Contains("GLIBCXX", StringComparison.Ordinal))
            return "LibTorch could not be loaded because the system libstdc++ is older than TorchSharp's (it asks for GLIBCXX_3.4.32). " +
                   "Build with `make build` (or dotnet build), which marks that requirement weak in the output copy of libLibTorchSharp.so. Loader said: " + all;
        return "LibTorch (TorchSharp-cpu) could not be loaded; check that the native libraries are in the output folder (runtimes/linux-x64/native). Loader said: " + all;
    }

    static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e != null; e = e.InnerException) yield return e;
    }
}

/// <summary>LibTorch (or the requested device) is not usable on this machine.</summary>
public sealed class TorchUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
