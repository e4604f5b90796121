"""PyTorch peer of OAIMS's InteractiveUNet, for the state-dict interop test (Debian python3-torch).

usage: unet_peer.py WIDTHS BOTTLENECK INPUT_CHANNELS CLASSES STATE_IN INPUT_BIN OUTPUT_BIN STATE_OUT OUTPUT2_BIN
Loads STATE_IN into the peer, runs INPUT_BIN (float32, shape 1 x INPUT_CHANNELS x 32 x 32; image channels + one guidance map per class) and writes the logits
to OUTPUT_BIN; then saves a freshly initialised peer's state dict to STATE_OUT and its logits to OUTPUT2_BIN.
"""
import sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBlock(nn.Module):
    def __init__(self, in_c, out_c):
        super().__init__()
        self.conv1 = nn.Conv2d(in_c, out_c, 3, padding=1)
        self.conv2 = nn.Conv2d(out_c, out_c, 3, padding=1)

    def forward(self, x):
        x = F.relu(F.instance_norm(self.conv1(x)))
        return F.relu(F.instance_norm(self.conv2(x)))


class Encoder(nn.Module):
    def __init__(self, in_c, out_c):
        super().__init__()
        self.conv = ConvBlock(in_c, out_c)


class Decoder(nn.Module):
    def __init__(self, in_c, out_c):
        super().__init__()
        self.up = nn.ConvTranspose2d(in_c, out_c, 2, stride=2)
        self.conv = ConvBlock(out_c * 2, out_c)


class UNet(nn.Module):
    def __init__(self, widths, bottleneck, in_c, classes):
        super().__init__()
        c = in_c
        for i, w in enumerate(widths):
            setattr(self, f"e{i + 1}", Encoder(c, w))
            c = w
        self.b = ConvBlock(c, bottleneck)
        below = bottleneck
        for i, w in enumerate(reversed(widths)):
            setattr(self, f"d{i + 1}", Decoder(below, w))
            below = w
        self.outputs = nn.Conv2d(widths[0], classes, 1)
        self.levels = len(widths)

    def forward(self, x):
        skips = []
        for i in range(self.levels):
            x = getattr(self, f"e{i + 1}").conv(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.b(x)
        for i in range(self.levels):
            d = getattr(self, f"d{i + 1}")
            x = d.conv(torch.cat([d.up(x), skips[-1 - i]], 1))
        return self.outputs(x)


def main():
    widths = [int(w) for w in sys.argv[1].split(",")]
    bottleneck, in_c, classes = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    state_in, input_bin, output_bin, state_out, output2_bin = sys.argv[5:10]
    x = torch.from_numpy(np.fromfile(input_bin, dtype=np.float32).reshape(1, in_c, 32, 32))
    with torch.no_grad():
        peer = UNet(widths, bottleneck, in_c, classes)
        peer.load_state_dict(torch.load(state_in), strict=True)
        peer(x).numpy().astype(np.float32).tofile(output_bin)
        torch.manual_seed(7)
        fresh = UNet(widths, bottleneck, in_c, classes)
        torch.save(fresh.state_dict(), state_out)
        fresh(x).numpy().astype(np.float32).tofile(output2_bin)


if __name__ == "__main__":
    main()
