#!/usr/bin/env bash
# Installs the Vulkan driver the `webgpu` training backend runs on when a machine has no GPU:
# Mesa's lavapipe (software Vulkan), version 25 from Debian's bookworm-backports. Dawn (the npm
# package `webgpu`, an optional dependency that `npm ci` installs) finds no adapter on bookworm's
# own Mesa 22.3, whose lavapipe offers only Vulkan 1.1; Mesa 25's offers 1.4 and trains.
#
# Mesa 25's Vulkan driver needs Mesa 25's shared gallium library, so apt also moves the GL side
# (libgl1-mesa-dri, libglx-mesa0, libegl-mesa0: the llvmpipe headless-gl renders on) to 25.
#
# Safe to run again and quick when done: it does nothing when a lavapipe ICD with Vulkan >= 1.3
# is already installed. Runs as root or through sudo. On Debian releases newer than bookworm the
# stock mesa-vulkan-drivers is new enough and is installed as is.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "setup-webgpu: $*"; }

# The lavapipe ICD manifest (lvp_icd.x86_64.json on Mesa 22, lvp_icd.json on Mesa 25) names the
# Vulkan version the driver implements: 1.1.230 on Mesa 22.3, 1.4.305 on Mesa 25.0.
# test/train/backends.test.ts reads the same field.
lavapipe_ok() {
  local f v
  for f in /usr/share/vulkan/icd.d/lvp_icd*.json; do
    [ -f "$f" ] || continue
    v=$(sed -n 's/.*"api_version"[^"]*"\([0-9]*\.[0-9]*\).*/\1/p' "$f" | head -n1)
    case "$v" in
      1.[3-9] | 1.[1-9][0-9] | [2-9].*) return 0 ;;
    esac
  done
  return 1
}

if lavapipe_ok; then
  say "lavapipe with Vulkan >= 1.3 already installed; nothing to do"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  say "no apt-get: install Mesa >= 24 lavapipe (Vulkan 1.3) and the Vulkan loader with your package manager" >&2
  exit 1
fi

if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  say "needs root (or sudo) to install Debian packages" >&2
  exit 1
fi

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
target=()
if [ "$codename" = bookworm ]; then
  # Any apt source (one-line or deb822, any file name) that already lists bookworm-backports will do.
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    say "adding the bookworm-backports apt source"
    "${as_root[@]}" tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  target=(-t bookworm-backports)
fi

say "installing mesa-vulkan-drivers ${target[*]}"
# Only the backports index is needed when the main one is fresh, but a plain update is simpler
# and what a fresh machine (empty lists) needs anyway.
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${target[@]}" \
  mesa-vulkan-drivers libvulkan1 >/dev/null

if ! lavapipe_ok; then
  say "mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null) installed, but its lavapipe does not offer Vulkan 1.3; webgpu needs Mesa >= 24" >&2
  exit 1
fi
say "installed mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"

# Proves the whole chain when the npm packages are there: Dawn loads and returns an adapter.
if [ -d node_modules/webgpu ]; then
  node --input-type=module -e "
    import { create, globals } from 'webgpu';
    Object.assign(globalThis, globals);
    const a = await create([]).requestAdapter();
    if (!a) { console.error('setup-webgpu: Dawn found no adapter on lavapipe'); process.exit(1); }
    console.log('setup-webgpu: Dawn adapter: ' + (a.info?.description || a.info?.device || 'ok'));
    process.exit(0);
  "
fi
