"""Helpers shared by the PyTorch references of `npm run bench` (torchVit.py, torchTrain.py, torchGradParity.py)."""
import math

import h5py
import numpy as np
import torch
import torch.nn.functional as F


def blas_in_use():
    a = torch.randn(64, 64)
    (a @ a).sum().item()
    with open('/proc/self/maps') as f:
        maps = f.read()
    for name in ('openblas', 'libmkl', 'blis'):
        if name in maps:
            return name
    return 'reference'


def read_h5(path):
    out = {}
    with h5py.File(path, 'r') as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind == 'f':
                out[name] = torch.from_numpy(np.asarray(obj[()], dtype=np.float32))
        f.visititems(visit)
    return out


# keras-hub ViT encoder block variables: short name -> path under the block's group in model.weights.h5
BLOCK_VARS = {'ln1.gamma': 'layer_norm_1/vars/0', 'ln1.beta': 'layer_norm_1/vars/1',
              'wq': 'mha/query_dense/vars/0', 'bq': 'mha/query_dense/vars/1', 'wk': 'mha/key_dense/vars/0', 'bk': 'mha/key_dense/vars/1',
              'wv': 'mha/value_dense/vars/0', 'bv': 'mha/value_dense/vars/1', 'wo': 'mha/output_dense/vars/0', 'bo': 'mha/output_dense/vars/1',
              'ln2.gamma': 'layer_norm_2/vars/0', 'ln2.beta': 'layer_norm_2/vars/1',
              'w1': 'mlp/dense_1/vars/0', 'b1': 'mlp/dense_1/vars/1', 'w2': 'mlp/dense_2/vars/0', 'b2': 'mlp/dense_2/vars/1'}


def vit_block(h, get, num_heads, eps):
    """One keras-hub pre-LN encoder block on (B, T, D) tokens: q scaled by 1/sqrt(key_dim) before the dot product,
    exact erf GELU. get(name) returns the keras-shaped weight for a BLOCK_VARS name (None for an absent bias)."""
    B, T, D = h.shape
    Kd = D // num_heads

    def lin(x, kernel, bias, shape):
        y = x @ get(kernel).reshape(shape)
        b = get(bias)
        return y if b is None else y + b.reshape(-1)

    def heads(x):
        return x.reshape(B, T, num_heads, Kd).transpose(1, 2)

    a = F.layer_norm(h, (D,), get('ln1.gamma'), get('ln1.beta'), eps)
    q, k, v = (heads(lin(a, f'w{n}', f'b{n}', (D, D))) for n in 'qkv')
    p = torch.softmax((q * (1.0 / math.sqrt(Kd))) @ k.transpose(-1, -2), -1)
    h = h + lin((p @ v).transpose(1, 2).reshape(B, T, D), 'wo', 'bo', (D, D))
    m = F.layer_norm(h, (D,), get('ln2.gamma'), get('ln2.beta'), eps)
    return h + lin(F.gelu(lin(m, 'w1', 'b1', (D, -1))), 'w2', 'b2', (-1, D))


def read_vit_preset(preset):
    """A keras-hub ViT preset as the torch scripts need it: its config, (H, W, C), (ph, pw), hidden dim, heads, layers,
    LayerNorm epsilon, the weights by h5 path, and the h5 path prefixes of the patch embedding, the encoder blocks in
    order and the final LayerNorm."""
    import json
    import os
    cfg = json.load(open(os.path.join(preset, 'config.json')))['config']
    ps = cfg['patch_size']
    w = read_h5(os.path.join(preset, 'model.weights.h5'))
    pe = next(key for key in w if key.endswith('patch_embedding/vars/0'))[:-len('patch_embedding/vars/0')]
    blocks = sorted({key.rsplit('/layer_norm_1/', 1)[0] for key in w if '/layer_norm_1/' in key},
                    key=lambda b: int(b.rsplit('_', 1)[1]) if b.rsplit('_', 1)[1].isdigit() else 0)
    final_ln = [key for key in w if key.endswith('/layer_norm/vars/0') and 'encoder_layers' not in key][0][:-1]
    return {
        'cfg': cfg, 'image_shape': tuple(cfg['image_shape']), 'patch': (ps, ps) if isinstance(ps, int) else tuple(ps),
        'dims': (cfg['hidden_dim'], cfg['num_heads'], cfg['num_layers']), 'eps': cfg.get('layer_norm_epsilon', 1e-6),
        'weights': w, 'pe': pe, 'blocks': blocks, 'final_ln': final_ln,
    }
