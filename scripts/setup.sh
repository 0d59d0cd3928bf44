#!/usr/bin/env bash
# Installs everything synx needs on a fresh Debian machine with Node 20: the npm packages (from
# package-lock.json) and the compiled CLI (npm's prepare step runs `tsc`). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "synx needs Node.js 20.19 or newer (found $(node --version))" >&2
  exit 1
fi

npm ci --no-audit --no-fund
