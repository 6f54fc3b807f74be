"""PyTorch autograd reference for `npm run bench -- --grad-parity-only`: the loss, every trainable variable's gradient
and one torch.optim.AdamW step, for the batch vit-doctor's ONNX trainer saw.

The bench writes into DIR: meta.json (preset folder, mode, first trainable block, pooling, labels, label smoothing,
AdamW hyperparameters, the trainable variables in the engine's order with their shapes), pixels.f32 (the engine's
converted images, NHWC float32), head_kernel.f32 / head_bias.f32 (the engine's fresh head, so both start identical)
and engine_grads.f32 (the engine's gradients, concatenated in order). The backbone weights are read here from the
preset's model.weights.h5 (keras-hub layout) with h5py, independently of the engine's reader.

For float64 and float32: the ViT forward (keras-hub math: patch embedding as reshape + matmul, class token at index
0, pre-LN blocks, q scaled before the dot product, exact erf GELU), softmax cross-entropy with label smoothing
(F.cross_entropy(label_smoothing=ε) = targets (1 − ε)·onehot + ε/C, as keras), backward, then one
torch.optim.AdamW step. Also one AdamW step (float64) from the engine's own gradients: the optimizer alone.
Frozen variables are leaves without requires_grad, so the frozen prefix runs in the same dtype (float64 is the
truth the float32 engine is measured against).

Writes torch_float64.f64 / torch_float32.f64 (gradients then updated weights, concatenated in the engine's order) and
torch_adamw_engine_grads.f64, and prints one JSON line: the losses, torch's version and BLAS.

Usage: python3 torchGradParity.py DIR
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torchCommon import BLOCK_VARS, blas_in_use, read_vit_preset, vit_block

def h5_key(name, pe, blocks, final_ln):
    """The model.weights.h5 path of an engine variable name (block_<i> is 1-based)."""
    top = {'class_token': pe + 'vars/0', 'patch_kernel': pe + 'patch_embedding/vars/0', 'patch_bias': pe + 'patch_embedding/vars/1',
           'position_embedding': pe + 'position_embedding/vars/0', 'ln.gamma': final_ln + '0', 'ln.beta': final_ln + '1'}
    if name in top:
        return top[name]
    block, var = name.split('.', 1)
    return f"{blocks[int(block.split('_')[1]) - 1]}/{BLOCK_VARS[var]}"


def main():
    d = sys.argv[1]
    meta = json.load(open(os.path.join(d, 'meta.json')))
    preset = meta['preset']
    v = read_vit_preset(preset)
    cfg, (H, W, C), (ph, pw), (D, N, L), ln_eps = v['cfg'], v['image_shape'], v['patch'], v['dims'], v['eps']
    w, pe, blocks, final_ln = v['weights'], v['pe'], v['blocks'], v['final_ln']
    B = meta['pixelsShape'][0]
    pixels = torch.from_numpy(np.fromfile(os.path.join(d, 'pixels.f32'), dtype=np.float32).reshape(meta['pixelsShape']))
    classes = meta['classes']
    head = {'head.kernel': torch.from_numpy(np.fromfile(os.path.join(d, 'head_kernel.f32'), dtype=np.float32).reshape(D, classes)),
            'head.bias': torch.from_numpy(np.fromfile(os.path.join(d, 'head_bias.f32'), dtype=np.float32))}
    labels = torch.tensor(meta['labels'], dtype=torch.long)
    names = [p['name'] for p in meta['params']]
    sizes = [int(np.prod(p['dims'])) for p in meta['params']]

    def source(name):
        if name in head:
            return head[name]
        key = h5_key(name, pe, blocks, final_ln)
        return w.get(key)

    def run(dtype, grads_from=None):
        T = {}

        def v(name):
            if name not in T:
                s = source(name)
                T[name] = None if s is None else s.to(dtype).clone().requires_grad_(name in names)
            return T[name]

        x = pixels.to(dtype)
        patches = x.reshape(B, H // ph, ph, W // pw, pw * C).permute(0, 1, 3, 2, 4).reshape(B, (H // ph) * (W // pw), ph * pw * C)
        h = patches @ v('patch_kernel').reshape(ph * pw * C, D)
        if v('patch_bias') is not None:
            h = h + v('patch_bias')
        if cfg.get('use_class_token', True):
            h = torch.cat([v('class_token').reshape(1, 1, D).expand(B, 1, D), h], 1)
        h = h + v('position_embedding').reshape(1, -1, D)
        for i in range(1, L + 1):
            h = vit_block(h, lambda n, i=i: v(f'block_{i}.{n}'), N, ln_eps)
        tokens = F.layer_norm(h, (D,), v('ln.gamma'), v('ln.beta'), ln_eps)
        pooled = tokens[:, 0] if meta['pooling'] == 'token' else tokens.mean(1)
        logits = pooled @ v('head.kernel') + v('head.bias')
        loss = F.cross_entropy(logits, labels, label_smoothing=meta['labelSmoothing'])
        params = [v(n) for n in names]
        if grads_from is None:
            loss.backward()
        else:
            off = 0
            for t, n in zip(params, sizes):
                t.grad = torch.from_numpy(grads_from[off:off + n]).to(dtype).reshape(t.shape)
                off += n
        grads = [t.grad.detach().reshape(-1).to(torch.float64) for t in params]
        opt = torch.optim.AdamW(params, lr=meta['lr'], betas=(meta['beta1'], meta['beta2']), eps=meta['torchEps'], weight_decay=meta['weightDecay'])
        opt.step()
        updated = [t.detach().reshape(-1).to(torch.float64) for t in params]
        return float(loss), torch.cat(grads + updated).numpy()

    out = {'torch': torch.__version__, 'blas': blas_in_use()}
    for dtype, label in ((torch.float64, 'float64'), (torch.float32, 'float32')):
        loss, arr = run(dtype)
        arr.tofile(os.path.join(d, f'torch_{label}.f64'))
        out[label] = {'loss': loss}
    engine_grads = np.fromfile(os.path.join(d, 'engine_grads.f32'), dtype=np.float32)
    _, arr = run(torch.float64, grads_from=engine_grads)
    arr[sum(sizes):].tofile(os.path.join(d, 'torch_adamw_engine_grads.f64'))
    print(json.dumps(out))


main()
