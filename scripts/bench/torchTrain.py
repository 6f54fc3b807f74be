"""PyTorch reference for the training rows of `npm run bench`: the steps `vit-doctor train` takes, in torch.

Reads a Keras Hub ViT preset (config.json + model.weights.h5, keras-hub layout) with h5py, builds the same ViT in
float32 with a fresh classification head, and runs AdamW steps (torch.optim.AdamW, lr 1e-4) with softmax
cross-entropy on random images of the preset's size and random labels. last-k: the frozen blocks run once under
no_grad (cached tokens, as vit-doctor does) and the last k blocks + final LayerNorm + head train; full: everything
trains on the images. Prints one JSON line: each step's milliseconds, the BLAS and the thread count.

Exits 3 when torch's BLAS is not OpenBLAS (the reference BLAS runs ~15x slower and would flatter vit-doctor).

Usage: python3 torchTrain.py PRESET_DIR MODE(last-k|full) K BATCH STEPS
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from torchCommon import BLOCK_VARS, blas_in_use, read_vit_preset, vit_block


def main():
    preset, mode, k, batch, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    blas = blas_in_use()
    if blas == 'reference':
        print(json.dumps({'error': 'torch is not using OpenBLAS (install libopenblas0-pthread)'}))
        sys.exit(3)
    if os.environ.get('VTD_TORCH_THREADS'):
        torch.set_num_threads(int(os.environ['VTD_TORCH_THREADS']))
    torch.manual_seed(0)
    v = read_vit_preset(preset)
    cfg, (H, W, C), (ph, pw), (D, N, L), eps = v['cfg'], v['image_shape'], v['patch'], v['dims'], v['eps']
    w, pe, blocks, final_ln = v['weights'], v['pe'], v['blocks'], v['final_ln']
    first = 0 if mode == 'full' else L - k
    P = {}

    def param(name, t, trainable):
        t = t.clone().requires_grad_(trainable)
        P[name] = t
        return t

    emb = {n: param(n, w[pe + s], mode == 'full') for n, s in [('patch_k', 'patch_embedding/vars/0'), ('patch_b', 'patch_embedding/vars/1'),
                                                              ('cls', 'vars/0'), ('pos', 'position_embedding/vars/0')]}
    bp = [{n: param(f'{i}.{n}', w[f'{b}/{s}'], i >= first) for n, s in BLOCK_VARS.items()} for i, b in enumerate(blocks)]
    lng = param('lng', w[final_ln + '0'], True)
    lnb = param('lnb', w[final_ln + '1'], True)
    classes = 2
    limit = math.sqrt(6 / (D + classes))
    hk = param('hk', (torch.rand(D, classes) * 2 - 1) * limit, True)
    hb = param('hb', torch.zeros(classes), True)

    def embed(x):
        B = x.shape[0]
        gh, gw = H // ph, W // pw
        patches = x.reshape(B, gh, ph, gw, pw * C).permute(0, 1, 3, 2, 4).reshape(B, gh * gw, ph * pw * C)
        h = patches @ emb['patch_k'].reshape(ph * pw * C, D) + emb['patch_b']
        h = torch.cat([emb['cls'].reshape(1, 1, D).expand(B, 1, D), h], 1)
        return h + emb['pos'].reshape(1, -1, D)

    def tail(h):
        for i in range(first, L):
            h = vit_block(h, bp[i].get, N, eps)
        return F.layer_norm(h, (D,), lng, lnb, eps)[:, 0] @ hk + hb

    n = batch * 2
    images = torch.rand(n, H, W, C) * 2 - 1
    labels = torch.randint(0, classes, (n,))
    if mode == 'full':
        inputs = images
    else:
        with torch.no_grad():
            h = embed(images)
            for i in range(first):
                h = vit_block(h, bp[i].get, N, eps)
        inputs = h
    trainable = [t for t in P.values() if t.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.004, eps=1e-7)
    times = []
    for s in range(steps):
        idx = torch.arange(s * batch, (s + 1) * batch) % n
        t0 = time.perf_counter()
        x = inputs[idx]
        logits = tail(embed(x) if mode == 'full' else x)
        loss = F.cross_entropy(logits, labels[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({'blas': blas, 'threads': torch.get_num_threads(), 'stepMs': times, 'loss': float(loss)}))


main()
