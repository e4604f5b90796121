"""Python side of `make bench` (Debian python3, python3-torch, python3-grpcio): prints one JSON object.

usage:
  python_bench.py torch WIDTHS BOTTLENECK INPUT_CHANNELS CLASSES SIZE THREADS REPEATS
      forward (no grad) and one training step (forward, backward, Adam) of the peer network at SIZE x SIZE, batch 1,
      on THREADS torch threads: the median over REPEATS after two warm-ups, in milliseconds.
  python_bench.py upload SERVER REPEATS DIMS [DIMS ...]
      for each DIMS (e.g. 240x240x155): a float32 volume uploaded with oaims_client's Client.upload as callers call it
      (all a user waits for: over the server's fast upload endpoint when it offers one, else fingerprint, FindImage and
      the gRPC stream), the same over gRPC alone (what a client without the fast path gets), and the same bytes copied
      over a raw loopback TCP socket; medians over REPEATS, MB/s.
"""
import json
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def bench_torch(widths, bottleneck, in_c, classes, size, threads, repeats):
    import torch
    import torch.nn.functional as F
    sys.path.insert(0, str(REPO / "tests" / "Oaims.Learning.Tests" / "Peer"))
    from unet_peer import UNet
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = UNet(widths, bottleneck, in_c, classes)
    optimizer = torch.optim.Adam(net.parameters(), lr=5e-5)
    x = torch.randn(1, in_c, size, size)
    target = torch.randint(0, classes, (1, size, size))

    def forward():
        with torch.no_grad():
            net(x)

    def train_step():
        optimizer.zero_grad()
        F.cross_entropy(net(x), target).backward()
        optimizer.step()

    result = {"torch_version": torch.__version__, "threads": torch.get_num_threads()}
    for name, work in (("forward_ms", forward), ("train_step_ms", train_step)):
        times = []
        for n in range(repeats + 2):
            start = time.perf_counter()
            work()
            if n >= 2:
                times.append((time.perf_counter() - start) * 1000.0)
        result[name] = statistics.median(times)
    return result


def raw_tcp_mb_s(payload: memoryview, fresh_memory: bool = False) -> float:
    """The same bytes through a loopback TCP socket (sendall into recv_into): what the wire alone allows.

    By default the receiving buffer exists before the clock starts. With `fresh_memory` the receiver allocates it when
    the first bytes arrive, inside the clock, as a server that stores the image must: on a VM where a new page costs
    microseconds, that is a large part of an upload's time."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    size = len(payload)
    ready = None if fresh_memory else bytearray(size)

    def receive():
        connection, _ = listener.accept()
        first = connection.recv(1 << 16)  # blocks until the sender's clock runs
        received = bytearray(size) if ready is None else ready
        view, got = memoryview(received), len(first)
        view[:got] = first
        while got < size:
            n = connection.recv_into(view[got:got + (1 << 20)])
            if n == 0:
                break
            got += n
        connection.sendall(b"k")
        connection.close()

    thread = threading.Thread(target=receive)
    thread.start()
    sender = socket.create_connection(("127.0.0.1", port))
    start = time.perf_counter()
    sender.sendall(payload)
    sender.recv(1)  # the receiver has every byte
    seconds = time.perf_counter() - start
    sender.close()
    thread.join()
    listener.close()
    return len(payload) / seconds / 1e6


def upload_mb_s(client, voxels) -> float:
    """One Client.upload of content the server has not seen (one voxel changed), in MB/s."""
    import numpy as np
    from oaims_client.images import ImagePayload
    voxels[0, 0, 0] = np.random.default_rng().random()
    payload = ImagePayload.from_array(voxels)
    start = time.perf_counter()
    reference = client.upload(payload)
    seconds = time.perf_counter() - start
    assert not reference.already_known
    return payload.nbytes / seconds / 1e6


def bench_upload(server, repeats, shapes):
    import grpc
    import numpy as np
    sys.path.insert(0, str(REPO / "slicer-plugin"))
    from oaims_client.client import Client, parse_target
    from oaims_client.images import ImagePayload
    results = []
    # A client that knows no host for the fast path: its uploads go over gRPC's UploadImage, as a remote one's may.
    grpc_only = Client(grpc.insecure_channel(parse_target(server)[0]))
    with Client.connect(server) as client:
        for shape in shapes:
            i, j, k = shape
            voxels = np.random.default_rng(0).random((k, j, i), dtype=np.float32)
            upload, over_grpc, raw, raw_fresh, hashing = [], [], [], [], []
            for n in range(repeats):
                upload.append(upload_mb_s(client, voxels))
                over_grpc.append(upload_mb_s(grpc_only, voxels))
                payload = ImagePayload.from_array(voxels)
                raw.append(raw_tcp_mb_s(payload.data))
                raw_fresh.append(raw_tcp_mb_s(payload.data, fresh_memory=True))
                start = time.perf_counter()
                _ = payload.fingerprint
                hashing.append(time.perf_counter() - start)
            mb = payload.nbytes / 1e6
            results.append({"dims": list(shape), "megabytes": round(mb, 1), "upload_mb_s": statistics.median(upload),
                            "raw_tcp_mb_s": statistics.median(raw), "raw_tcp_fresh_memory_mb_s": statistics.median(raw_fresh), "fingerprint_mb_s": mb / statistics.median(hashing),
                            "grpc_upload_mb_s": statistics.median(over_grpc), "chunk_bytes": client._chunk_bytes(),
                            "transport": "http" if client._http_upload_port() else "grpc"})
    grpc_only.close()
    return {"uploads": results}


def main():
    kind = sys.argv[1]
    if kind == "torch":
        widths = [int(w) for w in sys.argv[2].split(",")]
        print(json.dumps(bench_torch(widths, *[int(a) for a in sys.argv[3:9]])))
    elif kind == "upload":
        shapes = [tuple(int(d) for d in s.split("x")) for s in sys.argv[4:]]
        print(json.dumps(bench_upload(sys.argv[2], int(sys.argv[3]), shapes)))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
