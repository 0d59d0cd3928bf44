#!/usr/bin/env python3
"""The PyTorch half of the GPU comparison (bench/gpu/compare.sh).

Trains the same networks as synx (src/train/networks.ts: `small` at 64 px, `nn4-small` at
96 px, 128-d embeddings after a batch norm, L2-normalised) with the same loss (FaceNet triplet
loss, online semi-hard mining as TensorFlow's triplet_semihard_loss), optimiser (Adam, lr 1e-3)
and batch (64 = 16 identities x 4 images), in float32, and prints one JSON object with the
training images/s of each. Images are random bytes: the work per step does not depend on them.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Small(nn.Module):
    """conv3x3 32-64-128-128, each + ReLU + 2x2 max-pool (synx's `small`)."""

    def __init__(self):
        super().__init__()
        chans = [3, 32, 64, 128, 128]
        self.convs = nn.ModuleList(nn.Conv2d(a, b, 3, padding=1) for a, b in zip(chans, chans[1:]))
        self.width = 128

    def forward(self, x):
        for c in self.convs:
            x = F.max_pool2d(F.relu(c(x)), 2)
        return x


class Inception(nn.Module):
    def __init__(self, cin, c1=0, r3=0, c3=0, r5=0, c5=0, pool='max', proj=0, stride=1):
        super().__init__()
        self.c1 = nn.Conv2d(cin, c1, 1) if c1 else None
        self.r3, self.c3 = nn.Conv2d(cin, r3, 1), nn.Conv2d(r3, c3, 3, stride, padding=1)
        self.r5 = nn.Conv2d(cin, r5, 1) if r5 and c5 else None
        self.c5 = nn.Conv2d(r5, c5, 5, stride, padding=2) if r5 and c5 else None
        self.pool = nn.MaxPool2d(3, stride, padding=1) if pool == 'max' else nn.AvgPool2d(3, stride, padding=1, count_include_pad=False)
        self.proj = nn.Conv2d(cin, proj, 1) if proj else None
        self.width = c1 + c3 + (c5 if self.c5 else 0) + (proj if proj else cin)

    def forward(self, x):
        out = []
        if self.c1 is not None:
            out.append(F.relu(self.c1(x)))
        out.append(F.relu(self.c3(F.relu(self.r3(x)))))
        if self.c5 is not None:
            out.append(F.relu(self.c5(F.relu(self.r5(x)))))
        p = self.pool(x)
        out.append(F.relu(self.proj(p)) if self.proj is not None else p)
        return torch.cat(out, 1)


class NN4Small(nn.Module):
    """OpenFace nn4.small2 widths at 96 px, as synx's `nn4-small` (no LRN, no batch norm)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, padding=3)
        self.conv2 = nn.Conv2d(64, 64, 1)
        self.conv3 = nn.Conv2d(64, 192, 3, padding=1)
        blocks = []
        cin = 192
        for o in [
            dict(c1=64, r3=96, c3=128, r5=16, c5=32, pool='max', proj=32),
            dict(c1=64, r3=96, c3=128, r5=32, c5=64, pool='avg', proj=64),
            dict(r3=128, c3=256, r5=32, c5=64, pool='max', stride=2),
            dict(c1=256, r3=96, c3=192, r5=32, c5=64, pool='avg', proj=128),
            dict(r3=160, c3=256, r5=64, c5=128, pool='max', stride=2),
            dict(c1=256, r3=96, c3=384, pool='avg', proj=96),
            dict(c1=256, r3=96, c3=384, pool='max', proj=96),
        ]:
            b = Inception(cin, **o)
            blocks.append(b)
            cin = b.width
        self.blocks = nn.Sequential(*blocks)
        self.width = cin

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 3, 2, padding=1)
        x = F.relu(self.conv3(F.relu(self.conv2(x))))
        x = F.max_pool2d(x, 3, 2, padding=1)
        return self.blocks(x)


class Embedder(nn.Module):
    def __init__(self, body, embedding=128):
        super().__init__()
        self.body = body
        self.dense = nn.Linear(body.width, embedding)
        self.bn = nn.BatchNorm1d(embedding, eps=1e-5)

    def forward(self, x):
        h = self.body(x / 127.5 - 1).mean((2, 3))
        return F.normalize(self.bn(self.dense(h)), dim=1)


def triplet_semihard(e, labels, margin=0.2):
    """Mean hinge over all anchor-positive pairs; each takes the closest negative farther than the
    positive, else the farthest negative (TensorFlow's triplet_semihard_loss, as synx mines)."""
    d = (2 - 2 * e @ e.t()).clamp_min(0)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool, device=e.device)
    pos = same & ~eye
    neg = ~same
    dap = d[:, :, None]  # [a, p, 1]
    dan = d[:, None, :]  # [a, 1, n]
    semi = torch.where(neg[:, None, :] & (dan > dap), dan, torch.full_like(dan, float('inf'))).amin(-1)
    far = torch.where(neg[:, None, :], dan, torch.full_like(dan, float('-inf'))).amax(-1)
    chosen = torch.where(torch.isfinite(semi), semi, far)
    return F.relu(d - chosen + margin)[pos].mean()


def rate(net_name, size, device, batch, steps, warmup):
    torch.manual_seed(1)
    body = Small() if net_name == 'small' else NN4Small()
    model = Embedder(body).to(device).to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randint(0, 256, (batch, 3, size, size), device=device).float().contiguous(memory_format=torch.channels_last)
    labels = torch.arange(batch, device=device) // 4

    def step():
        opt.zero_grad(set_to_none=True)
        loss = triplet_semihard(model(x), labels)
        loss.backward()
        opt.step()
        return loss

    for _ in range(warmup):
        step()
    if device.type == 'cuda':
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = step()
    loss.item()  # waits for the device
    return batch * steps / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--steps', type=int, default=30)
    ap.add_argument('--warmup', type=int, default=5)
    a = ap.parse_args()
    device = torch.device(a.device)
    # Strict float32, as WebGPU computes: no TF32 tensor-core shortcuts in convs or matMuls.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    out = {
        'torch': torch.__version__,
        'device': torch.cuda.get_device_name(0) if device.type == 'cuda' else 'cpu',
        'batch': a.batch,
        'steps': a.steps,
        'train_img_per_s': {
            'small 64 px': rate('small', 64, device, a.batch, a.steps, a.warmup),
            'nn4-small 96 px': rate('nn4-small', 96, device, a.batch, a.steps, a.warmup),
        },
    }
    print(json.dumps(out))


if __name__ == '__main__':
    main()
