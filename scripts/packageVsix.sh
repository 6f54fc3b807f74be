#!/usr/bin/env bash
# Platform-specific vsix (the VS Code convention for native code): bash scripts/packageVsix.sh [target]
# target: linux-x64 (default on this machine), darwin-arm64, win32-x64 (also linux-arm64, win32-arm64).
# Stages the built extension with a production node_modules installed for the target's os/cpu (sharp's prebuilt
# libvips for that platform), keeps only that platform's ONNX Runtime library, and runs `vsce package --target`.
# Writes dist/vit-doctor-<target>.vsix. Needs the npm registry only.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${1:-$(node -p 'process.platform + "-" + process.arch')}"
case "$TARGET" in
  linux-x64|linux-arm64|darwin-arm64|win32-x64|win32-arm64) ;;
  *) echo "packageVsix: unsupported target \"$TARGET\" (linux-x64, linux-arm64, darwin-arm64, win32-x64, win32-arm64)" >&2; exit 2 ;;
esac
OS="${TARGET%-*}"; CPU="${TARGET#*-}"
npm run build --silent -- --production
STAGE=".package/$TARGET"
rm -rf "$STAGE" && mkdir -p "$STAGE"
cp -r package.json package-lock.json .npmrc README.md LICENSE dist media docs "$STAGE"/
rm -f "$STAGE"/dist/*.vsix "$STAGE"/dist/bench.js*
sed "s#onnxruntime-node/bin/napi-v6/linux/x64/#onnxruntime-node/bin/napi-v6/$OS/$CPU/#" .vscodeignore > "$STAGE/.vscodeignore"
( cd "$STAGE" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --os="$OS" --cpu="$CPU" >/dev/null )
[ -f "$STAGE/node_modules/onnxruntime-node/bin/napi-v6/$OS/$CPU/onnxruntime_binding.node" ] || { echo "packageVsix: no ONNX Runtime binary for $OS/$CPU" >&2; exit 1; }
ls "$STAGE/node_modules/@img" | grep -q "sharp-$OS-$CPU" || { echo "packageVsix: sharp has no prebuilt binary for $OS-$CPU" >&2; exit 1; }
VSCE="$(pwd)/node_modules/.bin/vsce"
( cd "$STAGE" && "$VSCE" package --target "$TARGET" --allow-missing-repository -o "../../dist/vit-doctor-$TARGET.vsix" )
echo "dist/vit-doctor-$TARGET.vsix"
