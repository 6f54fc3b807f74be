"""PyTorch reference for `npm run bench`: the same work as `vit-doctor sanity --json` on a Keras Hub ViT preset.

Reads config.json, image_converter.json, model.weights.h5 and task.weights.h5 (keras-hub layout) with h5py, decodes
the PNGs with Pillow, converts them as Keras' ImageConverter does (centre crop to the aspect ratio, bilinear resize
with half-pixel centres and no antialias, x*scale + offset), runs the ViT backbone and the classifier head in float32,
and prints one JSON line with the logits' checksum and its own phase timings.

Refuses to run (exit 3) when torch's BLAS is not OpenBLAS: Debian's torch then falls back to the reference BLAS and
runs ~15x slower, a comparison that would flatter vit-doctor.

Usage: python3 torchVit.py PRESET_DIR IMAGE...
"""
import json
import os
import sys
import time

t_start = time.perf_counter()
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torchCommon import BLOCK_VARS, blas_in_use, read_h5, vit_block  # noqa: E402
from PIL import Image  # noqa: E402


def convert(path, conv, H, W):
    img = np.asarray(Image.open(path).convert('RGB'), dtype=np.float32)
    h, w = img.shape[:2]
    th, tw = conv.get('image_size') or (H, W)
    if conv.get('crop_to_aspect_ratio', True):
        ch = min(max(int(w * th / tw), 1), h)
        cw = min(max(int(h * tw / th), 1), w)
        top, left = int((h - ch) / 2), int((w - cw) / 2)
        img = img[top:top + ch, left:left + cw]
    x = torch.from_numpy(np.ascontiguousarray(img)).permute(2, 0, 1)[None]
    if x.shape[2:] != (th, tw):
        x = F.interpolate(x, size=(th, tw), mode='bilinear', align_corners=False, antialias=False)
    x = x[0].permute(1, 2, 0)
    scale, offset = conv.get('scale'), conv.get('offset')
    if scale is not None:
        x = x * torch.tensor(scale, dtype=torch.float32)
    if offset is not None:
        x = x + torch.tensor(offset, dtype=torch.float32)
    return x


def main():
    preset, images = sys.argv[1], sys.argv[2:]
    blas = blas_in_use()
    if blas == 'reference':
        print(json.dumps({'error': 'torch is not using OpenBLAS (install libopenblas0-pthread)'}))
        sys.exit(3)
    torch.set_grad_enabled(False)
    # the bench tries torch's default and one thread per core, and compares against the faster (OpenBLAS has its own threads)
    if os.environ.get('VTD_TORCH_THREADS'):
        torch.set_num_threads(int(os.environ['VTD_TORCH_THREADS']))
    cfg = json.load(open(os.path.join(preset, 'config.json')))['config']
    conv = json.load(open(os.path.join(preset, 'image_converter.json')))['config']
    H, W, C = cfg['image_shape']
    ps = cfg['patch_size']
    ph, pw = (ps, ps) if isinstance(ps, int) else ps
    D, N, L = cfg['hidden_dim'], cfg['num_heads'], cfg['num_layers']
    eps = cfg.get('layer_norm_epsilon', 1e-6)
    t0 = time.perf_counter()
    w = read_h5(os.path.join(preset, 'model.weights.h5'))
    head = read_h5(os.path.join(preset, 'task.weights.h5'))
    t1 = time.perf_counter()
    x = torch.stack([convert(p, conv, H, W) for p in images])
    t2 = time.perf_counter()

    pe = next(k for k in w if k.endswith('patch_embedding/vars/0'))[:-len('patch_embedding/vars/0')]
    blocks = sorted({k.rsplit('/layer_norm_1/', 1)[0] for k in w if '/layer_norm_1/' in k},
                    key=lambda b: int(b.rsplit('_', 1)[1]) if b.rsplit('_', 1)[1].isdigit() else 0)
    B = x.shape[0]
    gh, gw = H // ph, W // pw
    patches = x.reshape(B, gh, ph, gw, pw * C).permute(0, 1, 3, 2, 4).reshape(B, gh * gw, ph * pw * C)
    h = patches @ w[pe + 'patch_embedding/vars/0'].reshape(ph * pw * C, D) + w[pe + 'patch_embedding/vars/1']
    if cfg.get('use_class_token', True):
        h = torch.cat([w[pe + 'vars/0'].expand(B, 1, D), h], 1)
    h = h + w[pe + 'position_embedding/vars/0']
    T = h.shape[1]
    for b in blocks:
        h = vit_block(h, lambda n, b=b: w.get(f'{b}/{BLOCK_VARS[n]}'), N, eps)
    final_ln = [k for k in w if k.endswith('/layer_norm/vars/0') and 'encoder_layers' not in k][0][:-1]
    tokens = F.layer_norm(h, (D,), w[final_ln + '0'], w[final_ln + '1'], eps)
    pooled = tokens[:, 0]
    logits = pooled @ head['layers/dense/vars/0'] + head['layers/dense/vars/1']
    probs = torch.softmax(logits, -1)
    t3 = time.perf_counter()
    print(json.dumps({'blas': blas, 'threads': torch.get_num_threads(), 'logitsSum': float(logits.sum()), 'top1': probs.argmax(-1).tolist(),
                      'importMs': (t0 - t_start) * 1000, 'readWeightsMs': (t1 - t0) * 1000, 'decodeMs': (t2 - t1) * 1000,
                      'forwardMs': (t3 - t2) * 1000}))


main()
