#!/usr/bin/env bash
# The GPU comparison of issue #5: the reference networks trained by synx on the webgpu backend
# and by PyTorch on the same GPU, same networks, loss, optimiser and batch. Run it from the
# repository root on a machine with an NVIDIA GPU, its driver (with the Vulkan ICD, which Dawn
# uses) and PyTorch installed, after `npm ci` there, or with the bundle `bash bench/gpu/bundle.sh`
# packs here (27 MB, no npm needed there; the device tool carries bench/gpu/bundle):
#   bash bench/gpu/compare.sh
# Writes bench/gpu/results.json and results.md (PYTHON names the interpreter that has torch).
# SYNX_GPU_BACKEND=wasm and TORCH_DEVICE=cpu run the same protocol without a GPU, a check of
# the scripts themselves, into results-check.json and .md.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench/gpu
card=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1 || true)
# Without a GPU the run is a check of the scripts: its files are results-check.* (git-ignored).
name=results
[ -n "$card" ] || name=results-check
echo "synx (${SYNX_GPU_BACKEND:-webgpu}) ..." >&2
# The packed bundle (bench/gpu/bundle.sh) when present: a device machine may have no npm access.
if [ -f "$out/bundle/webgpu-train.mjs" ]; then
  node "$out/bundle/webgpu-train.mjs" "${SYNX_GPU_BACKEND:-webgpu}" > "$out/synx.json"
else
  npx tsx bench/gpu/webgpu-train.ts "${SYNX_GPU_BACKEND:-webgpu}" > "$out/synx.json"
fi
echo "PyTorch (${TORCH_DEVICE:-cuda if available}) ..." >&2
"${PYTHON:-python3}" bench/gpu/torch_train.py ${TORCH_DEVICE:+--device "$TORCH_DEVICE"} > "$out/torch.json"
CARD="${card:-none}" "${PYTHON:-python3}" - "$out" "$name" <<'PY'
import json, os, sys, datetime
out, name = sys.argv[1], sys.argv[2]
synx = json.load(open(f'{out}/synx.json'))
torch = json.load(open(f'{out}/torch.json'))
rows = []
for k, v in synx['train_img_per_s'].items():
    t = torch['train_img_per_s'][k]
    rows.append({'network': k, 'synx_img_per_s': v, 'torch_img_per_s': t, 'synx_over_torch': v / t})
res = {'date': datetime.datetime.utcnow().isoformat(timespec='seconds') + 'Z', 'card': os.environ['CARD'],
       'synx_backend': synx['backend'], 'adapter': synx['adapter'], 'torch': torch['torch'], 'torch_device': torch['device'],
       'batch': 64, 'rows': rows}
json.dump(res, open(f'{out}/{name}.json', 'w'), indent=1)
md = [f"# GPU comparison ({res['date']})", '',
      f"Card: {res['card']}; synx backend {res['synx_backend']} (adapter {res['adapter']}); PyTorch {res['torch']} on {res['torch_device']}, strict float32; batch 64, triplet loss, Adam.", '',
      '| network | synx img/s | PyTorch img/s | synx / PyTorch |', '| --- | --- | --- | --- |']
md += [f"| {r['network']} | {r['synx_img_per_s']:.1f} | {r['torch_img_per_s']:.1f} | {r['synx_over_torch']:.3f} |" for r in rows]
open(f'{out}/{name}.md', 'w').write('\n'.join(md) + '\n')
print('\n'.join(md))
PY
