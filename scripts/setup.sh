#!/usr/bin/env bash
# Installs everything synx needs on a fresh Debian machine with Node 20: the npm packages (from
# package-lock.json) and the compiled CLI (npm's prepare step runs `tsc`). Safe to run again.
#
#   bash scripts/setup.sh          what `synx run` needs
#   bash scripts/setup.sh --test   also what the tests exercise: the Vulkan driver the webgpu
#                                  training backend runs on (scripts/setup-webgpu.sh) and the
#                                  optional headless-gl render backend with Xvfb
#                                  (scripts/setup-gl.sh), and a single-machine Slurm
#                                  (scripts/slurm-up.sh, where it can be installed), so their
#                                  tests run instead of skipping
set -euo pipefail
cd "$(dirname "$0")/.."

with_test=0
for arg in "$@"; do
  case "$arg" in
    --test) with_test=1 ;;
    *) echo "usage: bash scripts/setup.sh [--test]" >&2; exit 2 ;;
  esac
done

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "synx needs Node.js 20.19 or newer (found $(node --version))" >&2
  exit 1
fi

# onnxruntime-node (optional) ships its Linux binaries in the package; its install script would
# download CUDA extras, which these machines cannot reach.
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund

if [ "$with_test" = 1 ]; then
  bash scripts/setup-webgpu.sh
  bash scripts/setup-gl.sh
  # Exit 3: Slurm cannot be installed here (no root or apt); the Slurm tests then say so and skip.
  slurm_rc=0
  bash scripts/slurm-up.sh || slurm_rc=$?
  if [ "$slurm_rc" != 0 ] && [ "$slurm_rc" != 3 ]; then exit "$slurm_rc"; fi
fi
