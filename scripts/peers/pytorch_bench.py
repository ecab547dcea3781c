#!/usr/bin/env python3
"""The PyTorch peer of `convnet bench`: the notebook's network, trained and evaluated the same way.

Same architecture (conv 5x5x16 SAME + ReLU + 2x2 max-pool, conv 5x5x36 likewise, fc 128 + ReLU,
fc 10), same data (Fashion-MNIST from the IDX files, pixels in [0, 1]), Adam, batches of 64 and 256,
evaluation in batches of 256, the same number of threads, a warm-up, then a timed window.
Prints one JSON object with the same keys as `convnet bench --json`.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
from torch import nn


def read_idx(folder, name):
    for path, opener in ((os.path.join(folder, name + ".gz"), gzip.open), (os.path.join(folder, name), open)):
        if os.path.exists(path):
            with opener(path, "rb") as f:
                data = f.read()
            dims = data[3]
            shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise SystemExit(f"pytorch_bench: {name} not found in {folder}")


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 5, padding=2)
        self.conv2 = nn.Conv2d(16, 36, 5, padding=2)
        self.fc1 = nn.Linear(7 * 7 * 36, 128)
        self.fc2 = nn.Linear(128, 10)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def train_window(images, labels, batch, seconds):
    torch.manual_seed(1)
    net = ConvNet()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(1)
    order = rng.permutation(len(images))
    position = 0
    warmup_end = time.perf_counter() + min(3.0, seconds / 3)
    steps, window_start = [], None
    while True:
        t0 = time.perf_counter()
        if position + batch > len(order):
            order, position = rng.permutation(len(images)), 0
        idx = order[position:position + batch]
        position += batch
        x = torch.from_numpy(images[idx]).float().div_(255).unsqueeze(1)
        y = torch.from_numpy(labels[idx].astype(np.int64))
        optimizer.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        optimizer.step()
        t1 = time.perf_counter()
        if window_start is None:
            if t1 >= warmup_end:
                window_start = t1
            continue
        steps.append(t1 - t0)
        if t1 - window_start >= seconds:
            return len(steps) * batch / sum(steps), sorted(steps)


def evaluate(images, seconds):
    net = ConvNet().eval()
    x_all = torch.from_numpy(images).float().div_(255).unsqueeze(1)
    with torch.no_grad():
        for i in range(0, 2560, 256):
            net(x_all[i:i + 256])
        start, count = time.perf_counter(), 0
        while time.perf_counter() - start < seconds:
            for i in range(0, len(x_all), 256):
                net(x_all[i:i + 256]).argmax(1)
            count += len(x_all)
        return count / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train_x = read_idx(args.data_dir, "train-images-idx3-ubyte")[5000:]
    train_y = read_idx(args.data_dir, "train-labels-idx1-ubyte")[5000:]
    test_x = read_idx(args.data_dir, "t10k-images-idx3-ubyte")
    b64, steps = train_window(train_x, train_y, 64, args.seconds)
    b256, _ = train_window(train_x, train_y, 256, args.seconds)
    figures = {
        "peer": f"pytorch {torch.__version__}",
        "threads": args.threads,
        "train_images_per_second_b64": round(b64),
        "step_ms_p50": round(steps[len(steps) // 2] * 1000, 2),
        "train_images_per_second_b256": round(b256),
        "eval_images_per_second": round(evaluate(test_x, args.seconds)),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
