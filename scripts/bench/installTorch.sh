#!/usr/bin/env bash
# Installs the PyTorch reference of `npm run bench` (Debian/Ubuntu, as root): torch, h5py, Pillow, and OpenBLAS.
# Without libopenblas0-pthread Debian's torch runs on the reference BLAS (~15x slower): the bench refuses that.
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-h5py python3-pil python3-numpy libopenblas0-pthread
/usr/bin/python3 -c 'import torch, h5py, PIL; print("torch", torch.__version__)'
