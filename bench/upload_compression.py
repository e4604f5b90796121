"""Would compressing upload chunks pay? zlib (the only codec in Debian's python3 here; no blosc2 or zstd) on the
BraTS test volume as float32, plain and byte-shuffled (as blosc2 does), against the bench's random volume.

usage: /usr/bin/python3 bench/upload_compression.py   (run from the repository root; prints one line per case)
"""
import sys
import time
import zlib
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "slicer-plugin" / "tests"))
sys.path.insert(0, str(REPO / "slicer-plugin"))
from conftest import BRATS_CASE  # noqa: E402
from brats import load_kji  # noqa: E402


def measure(name, data):
    start = time.perf_counter()
    packed = zlib.compress(data, 1)
    packing = time.perf_counter() - start
    start = time.perf_counter()
    zlib.decompress(packed)
    unpacking = time.perf_counter() - start
    mb = len(data) / 1e6
    print(f"zlib level 1, {name}: {len(data) / len(packed):.2f}x smaller, compress {mb / packing:.0f} MB/s, decompress {mb / unpacking:.0f} MB/s")


def main():
    voxels = np.ascontiguousarray(load_kji(BRATS_CASE / "t1c.nii.gz")[0], dtype=np.float32)
    print(f"load average {open('/proc/loadavg').read().split()[0]}; {BRATS_CASE.name}/t1c.nii.gz {voxels.shape} float32, {voxels.nbytes / 1e6:.1f} MB")
    measure("BraTS t1c", voxels.tobytes())
    measure("BraTS t1c byte-shuffled", voxels.view(np.uint8).reshape(-1, 4).T.tobytes())
    measure("random float32 (python_bench.py upload's volumes)", np.random.default_rng(0).random(voxels.shape, dtype=np.float32).tobytes())


if __name__ == "__main__":
    main()
