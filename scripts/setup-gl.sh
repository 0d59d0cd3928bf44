#!/usr/bin/env bash
# Installs the optional headless-gl render backend (`renderer: gl` in synx.yaml, see
# docs/render.md): the npm package `gl` 8.1.6, which has no prebuilt binary reachable offline and
# so compiles from source (~6-8 min on 2 cores), the Debian packages that build needs, and an X
# server to run it under (headless-gl creates no context without a display: Xvfb + Mesa's DRI
# drivers). Safe to run again: it does nothing when `require('gl')` works and Xvfb is present.
#
# `gl` is installed with --no-save: it stays an optional dependency that synx loads only when
# present, and package.json / package-lock.json are left alone. The price: a later `npm ci` or
# `npm install` removes it again. So the compiled addon is also kept in a cache folder
# (SYNX_GL_CACHE, default ~/.cache/synx), and a rerun restores it in seconds instead of rebuilding.
#
# Run as root, or as a user with sudo, for the apt-get step.
set -euo pipefail
cd "$(dirname "$0")/.."

GL_VERSION=8.1.6
say() { echo "setup-gl: $*"; }
fail() { echo "setup-gl: error: $*" >&2; exit 1; }

gl_loads() { node -e "require('gl')" >/dev/null 2>&1; }
npm_locked() { flock /tmp/synx-npm.lock npm "$@"; }

abi=$(node -p 'process.versions.modules + "-" + process.platform + "-" + process.arch')
cache_dir="${SYNX_GL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/synx}/gl-${GL_VERSION}-abi${abi}"
addon=node_modules/gl/build/Release/webgl.node

if gl_loads && command -v Xvfb >/dev/null 2>&1; then
  say "gl $(node -p "require('gl/package.json').version") is installed and Xvfb is present; nothing to do"
  exit 0
fi

# --- Debian packages -----------------------------------------------------------------------------
# build: compiler, python3 and X11 headers for node-gyp's build of headless-gl (with ANGLE);
# run: Xvfb (a virtual display), xauth (xvfb-run uses it), Mesa's DRI drivers (the GL behind Xvfb).
apt_packages=(build-essential pkg-config python3 libx11-dev libxi-dev libxext-dev xvfb xauth libgl1-mesa-dri)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    fail "missing Debian packages: ${missing[*]}; run this script as root (or apt-get install them) and run it again"
  fi
  say "installing Debian packages: ${missing[*]}"
  apt_log=$(mktemp)
  if ! { "${as_root[@]}" apt-get update -q && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
    tail -n 30 "$apt_log" >&2
    rm -f "$apt_log"
    fail "apt-get could not install: ${missing[*]}"
  fi
  rm -f "$apt_log"
else
  say "Debian packages present"
fi

# --- the npm package -----------------------------------------------------------------------------
if gl_loads; then
  say "gl already loads"
else
  restored=0
  if [ -f "$cache_dir/webgl.node" ]; then
    # The JS part and its small dependencies come from the registry; the addon from the cache
    # (--ignore-scripts: no 6-minute rebuild).
    say "restoring gl@${GL_VERSION} with the addon built earlier ($cache_dir)"
    if npm_locked install --no-save --no-audit --no-fund --ignore-scripts "gl@${GL_VERSION}"; then
      mkdir -p "$(dirname "$addon")"
      cp "$cache_dir/webgl.node" "$addon"
      if gl_loads; then restored=1; else say "the cached addon does not load here; building instead"; fi
    fi
  fi
  if [ "$restored" = 0 ]; then
    say "building gl@${GL_VERSION} from source (~6-8 minutes on 2 cores; npm prints nothing meanwhile)"
    # The lock serialises npm with any other install running in this checkout at the same time.
    npm_locked install --no-save --no-audit --no-fund "gl@${GL_VERSION}" || fail "npm could not build gl@${GL_VERSION} (see npm's output above)"
    if ! gl_loads; then
      node -e "require('gl')" >&2 || true
      fail "gl@${GL_VERSION} installed but require('gl') fails (above)"
    fi
    if mkdir -p "$cache_dir" 2>/dev/null && cp "$addon" "$cache_dir/webgl.node" 2>/dev/null; then
      say "kept the compiled addon in $cache_dir for reinstalls"
    fi
  fi
fi

# --- check: can it make a context? ---------------------------------------------------------------
# headless-gl masks RENDERER as 'ANGLE'; the native context underneath gives the real string.
check='const gl = require("gl")(4, 4); if (!gl) { console.log("no context"); process.exit(3) }
const native = Object.getPrototypeOf(Object.getPrototypeOf(gl));
console.log(native.getParameter.call(gl, gl.RENDERER));
gl.getExtension("STACKGL_destroy_context").destroy();'
if [ -n "${DISPLAY:-}" ] && renderer=$(node -e "$check" 2>/dev/null); then
  say "ok: gl creates a context on DISPLAY=${DISPLAY}: ${renderer}"
elif renderer=$(xvfb-run -a node -e "$check" 2>/dev/null); then
  say "ok: gl creates a context under xvfb-run: ${renderer}"
  say "synx needs a display to use it: run under 'xvfb-run -a synx ...', or start Xvfb and set DISPLAY"
else
  fail "gl is installed but creates no GL context, even under xvfb-run; check the Xvfb and libgl1-mesa-dri install"
fi
