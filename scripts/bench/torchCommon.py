"""Helpers shared by the PyTorch references of `npm run bench` (torchVit.py, torchTrain.py)."""
import h5py
import numpy as np
import torch


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
