#!/usr/bin/env bash
# Packs the synx half of the GPU comparison for a machine without npm access: one esbuild bundle
# of bench/gpu/webgpu-train.ts (synx, TensorFlow.js and its webgpu backend) plus the webgpu
# package's Linux x64 Dawn binary, about 25 MB in bench/gpu/bundle/ (git-ignored). There:
#   node bench/gpu/bundle/webgpu-train.mjs webgpu
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench/gpu/bundle
rm -rf "$out"
mkdir -p "$out/node_modules/webgpu/dist"
# tfjs-backend-wasm and tfjs-node are imported only for those backends; the webgpu package
# loads its native addon by path, so it stays a real package beside the bundle.
npx esbuild bench/gpu/webgpu-train.ts --bundle --platform=node --format=esm --target=node20 \
  --outfile="$out/webgpu-train.mjs" --log-level=warning \
  --external:webgpu --external:@tensorflow/tfjs-backend-wasm --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$out/node_modules/webgpu/"
cp -r node_modules/webgpu/dist/linux-x64 "$out/node_modules/webgpu/dist/"
du -sh "$out"
