"""A gRPC server in its own process that streams a click's events at a set pace, stamping each with the moment it is
sent, so that tests/test_latency_under_lock.py can measure how long the module takes to show a streamed reply.

The stamp is time.monotonic() in ms (CLOCK_MONOTONIC: one clock for every process on the machine), carried in
AdaptationStep.milliseconds, and in InteractSummary.latency.queue_ms for the summary. Its own process, because the
point of the test is that the client's process holds Python's lock; a server inside it would be stalled too.

    python3 streaming_server.py STEPS GAP_MS    -> prints "PORT <n>", serves until stdin closes
"""

import sys
import time
from concurrent import futures
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import grpc  # noqa: E402
import numpy as np  # noqa: E402

from oaims_client import masks  # noqa: E402
from oaims_client.generated import common_pb2, segmentation_pb2 as seg, segmentation_pb2_grpc  # noqa: E402


def now_ms() -> float:
    return time.monotonic() * 1000.0


class PacedSegmentation(segmentation_pb2_grpc.SegmentationServicer):
    """GetCapabilities, and an Interact that sends `steps` steps `gap_ms` apart, then the mask and the summary."""

    def __init__(self, steps: int, gap_ms: float):
        self.steps = steps
        self.gap_ms = gap_ms

    def GetCapabilities(self, request, context):
        return seg.Capabilities(server_version="paced", device="cpu", workspaces=["paced"])

    def Interact(self, request, context):
        for index in range(self.steps):
            time.sleep(self.gap_ms / 1000.0)
            yield seg.InteractEvent(step=common_pb2.AdaptationStep(index=index, kind="mi", loss=0.1, milliseconds=now_ms(),
                                                                   model_version=index + 1, applied=True))
        c = request.click
        delta = masks.encode_box(np.ones((1, 1, 1), np.uint8), (c.i, c.j, c.k, c.i, c.j, c.k))
        box = common_pb2.VoxelBox(min_i=c.i, min_j=c.j, min_k=c.k, max_i=c.i, max_j=c.j, max_k=c.k)
        yield seg.InteractEvent(mask=seg.MaskUpdate(delta=common_pb2.MaskDelta(box=box, encoding=delta.encoding, data=delta.data),
                                                    axis=c.axis, slice=c.k))
        yield seg.InteractEvent(done=seg.InteractSummary(click_count=1, model_version=self.steps,
                                                         latency=common_pb2.Latency(queue_ms=now_ms())))

    def CloseSession(self, request, context):
        return seg.CloseSessionResponse()


def main():
    steps, gap_ms = int(sys.argv[1]), float(sys.argv[2])
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    segmentation_pb2_grpc.add_SegmentationServicer_to_server(PacedSegmentation(steps, gap_ms), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"PORT {port}", flush=True)
    sys.stdin.read()
    server.stop(0)


if __name__ == "__main__":
    main()
