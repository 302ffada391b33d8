#!/usr/bin/env python3
"""PyTorch twins of latentkit's engine-benchmark models, timed the same way.

Prints one JSON line: {"model", "samples_per_s", "threads", "blas_threads", "torch"}. Used by
`npm run bench -- engine` when a Python with torch is present (Debian: apt-get install
python3-torch, which lands in /usr/bin/python3, not in a pyenv python). For a fair CPU
comparison torch should use OpenBLAS (Debian's default reference BLAS is slow): apt-get
install libopenblas0-pthread and select it with update-alternatives.

Threads: torch.set_num_threads(n) sets torch's own pool but not OpenBLAS's, which starts with
one thread per core (issue #18: `--threads 1` ran BLAS on 2 threads). OPENBLAS_NUM_THREADS
(and OMP_NUM_THREADS) are read when the library loads, so they are set here before torch is
imported, and threadpoolctl then checks every BLAS/OpenMP pool; a mismatch exits non-zero
instead of timing the wrong thing.
"""
import argparse
import json
import os
import sys
import time

p = argparse.ArgumentParser()
p.add_argument('--model', choices=['dense', 'conv', 'sequence'], required=True)
p.add_argument('--batches', type=int, default=30)
p.add_argument('--batch-size', type=int, default=128)
p.add_argument('--threads', type=int, default=1)
a = p.parse_args()
for var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[var] = str(a.threads)

import torch  # noqa: E402  (after the thread variables, on purpose)
from torch import nn  # noqa: E402
from threadpoolctl import threadpool_info  # noqa: E402


def dense():
    enc = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 32))
    dec = nn.Sequential(nn.Linear(32, 256), nn.ReLU(), nn.Linear(256, 784), nn.Sigmoid())
    return nn.Sequential(enc, dec), (784,)


def conv():
    enc = nn.Sequential(
        nn.Conv2d(1, 16, 3, 2, 1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),
        nn.Flatten(), nn.Linear(7 * 7 * 32, 16))
    dec = nn.Sequential(
        nn.Linear(16, 7 * 7 * 32), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
        nn.ConvTranspose2d(32, 16, 3, 2, 1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(16, 1, 3, 2, 1, output_padding=1), nn.Sigmoid())
    return nn.Sequential(enc, dec), (1, 28, 28)


def sequence():
    # Time-parallel sequence AE over length-40 sequences of 16 features, the design latentkit
    # uses instead of a GRU: conv1d 128 k5, conv1d 128 k5 s2, dense code 32; mirrored decoder
    # with nearest upsampling (the same layers as bench/suites/engine.ts).
    enc = nn.Sequential(nn.Conv1d(16, 128, 5, 1, 2), nn.ReLU(), nn.Conv1d(128, 128, 5, 2, 2), nn.ReLU(),
                        nn.Flatten(), nn.Linear(128 * 20, 32))
    dec = nn.Sequential(nn.Linear(32, 128 * 20), nn.ReLU(), nn.Unflatten(1, (128, 20)),
                        nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv1d(128, 128, 5, 1, 2), nn.ReLU(),
                        nn.Conv1d(128, 16, 5, 1, 2))
    return nn.Sequential(enc, dec), (16, 40)


def main():
    torch.set_num_threads(a.threads)
    pools = [(i['internal_api'], i['num_threads']) for i in threadpool_info() if i['user_api'] in ('blas', 'openmp')]
    if any(n != a.threads for _, n in pools):
        print(f'thread pools {pools} do not match --threads {a.threads}', file=sys.stderr)
        sys.exit(3)
    # No optimised BLAS in sight: torch runs on Debian's reference BLAS, several times slower
    # (a fresh machine without libopenblas0-pthread reported blas_threads null and a dense
    # ratio of 8.5x).
    if not any(api in ('openblas', 'mkl', 'blis') for api, _ in pools):
        print(f'no optimised BLAS among the thread pools {pools} (Debian reference BLAS?): '
              'apt-get install libopenblas0-pthread', file=sys.stderr)
        sys.exit(4)
    torch.manual_seed(0)
    net, shape = {'dense': dense, 'conv': conv, 'sequence': sequence}[a.model]()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = (torch.rand(a.batch_size, *shape) < 0.2).float() * torch.rand(a.batch_size, *shape)

    def step():
        opt.zero_grad()
        loss = nn.functional.mse_loss(net(x), x)
        loss.backward()
        opt.step()

    for _ in range(2):
        step()
    t0 = time.perf_counter()
    for _ in range(a.batches):
        step()
    dt = time.perf_counter() - t0
    blas = [n for api, n in pools if api in ('openblas', 'mkl', 'blis')]
    print(json.dumps({'model': a.model, 'samples_per_s': a.batches * a.batch_size / dt,
                      'threads': a.threads, 'blas_threads': blas[0] if blas else None,
                      'pools': dict(pools), 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
