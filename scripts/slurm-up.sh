#!/usr/bin/env bash
# Starts a real single-machine Slurm (Debian's slurm-wlm + munge) without systemd, for
# `synx run --executor slurm` on a laptop and for test/slurm. Idempotent: a Slurm that already
# answers with this node idle is left as it is. Needs root (apt-get, daemons).
#
#   scripts/slurm-up.sh          # install if missing, configure, start, wait until idle
#   scripts/slurm-up.sh --check  # only say whether Slurm is up (exit 0) or not (exit 3); changes nothing
#   scripts/slurm-down.sh        # stop the daemons again
#
# Exit codes: 0 Slurm is up; 3 Slurm cannot be installed here (no root, no apt, no package);
# 1 it is installed but would not start (see /var/log/slurm/*.log).
set -euo pipefail

check_only=0
for arg in "$@"; do
  case "$arg" in
    --check) check_only=1 ;;
    *) echo "usage: bash scripts/slurm-up.sh [--check]" >&2; exit 2 ;;
  esac
done

CONF=/etc/slurm/slurm.conf
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The reference config that ran on this kind of machine; the NodeName and host lines are replaced.
TEMPLATE="${SYNX_SLURM_TEMPLATE:-$HERE/slurm.conf.template}"
WAIT_S="${SYNX_SLURM_WAIT:-90}"

log() { echo "slurm-up: $*" >&2; }

# Two test files may start Slurm at once: one does the work, the other waits and finds it up.
exec 9>/tmp/synx-slurm-up.lock
flock 9

node_state() {
  sinfo -h -N -n "$(hostname -s)" -o '%T' 2>/dev/null | head -n 1 || true
}

if command -v sinfo >/dev/null 2>&1 && [ -f "$CONF" ]; then
  case "$(node_state)" in
    idle|mixed|allocated|completing) log "already up ($(node_state))"; exit 0 ;;
  esac
fi

if [ "$check_only" = 1 ]; then
  log "not running (start it with: bash scripts/slurm-up.sh)"; exit 3
fi

if [ "$(id -u)" != 0 ]; then
  log "must run as root to install and start Slurm"; exit 3
fi

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then log "apt-get not found: cannot install slurm-wlm"; exit 3; fi
  log "installing slurm-wlm and munge with apt-get (a few minutes)"
  export DEBIAN_FRONTEND=noninteractive
  # Another apt run (a second test process) may hold the dpkg lock: wait for it.
  if ! { apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null &&
         apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends slurm-wlm munge >/dev/null; }; then
    log "apt-get could not install slurm-wlm and munge"; exit 3
  fi
fi

id slurm >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin slurm
mkdir -p /etc/slurm /run/munge /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || chown munge /run/munge
chown -R slurm:slurm /var/lib/slurm /var/log/slurm
if [ ! -s /etc/munge/munge.key ]; then
  log "creating /etc/munge/munge.key"
  if command -v mungekey >/dev/null 2>&1; then mungekey --create --keyfile=/etc/munge/munge.key --force
  else dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; fi
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
fi

host="$(hostname -s)"
nodeline="$(slurmd -C | grep '^NodeName=' | head -n 1)"
if [ -z "$nodeline" ]; then log "slurmd -C printed no NodeName line"; exit 1; fi
if [ ! -f "$TEMPLATE" ]; then log "no template $TEMPLATE"; exit 1; fi
want="$(sed -e "s/^SlurmctldHost=.*/SlurmctldHost=$host/" -e "s/^NodeName=.*/$nodeline/" "$TEMPLATE")"
if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$want" ]; then
  printf '%s\n' "$want" > "$CONF"
  changed=1
else
  changed=0
fi

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

if ! pgrep -x munged >/dev/null 2>&1; then
  log "starting munged"
  # --force: a stale socket from a killed munged must not stop it.
  su -s /bin/sh munge -c 'munged --force' 2>/dev/null 9>&- || munged --force 9>&-
fi
if [ "$changed" = 1 ]; then
  # A new config: restart the daemons so they read it.
  pid_alive /run/slurmctld.pid && kill "$(cat /run/slurmctld.pid)" || true
  pid_alive /run/slurmd.pid && kill "$(cat /run/slurmd.pid)" || true
  sleep 1
fi
# 9>&-: the daemons must not inherit (and so hold for ever) the lock taken above.
if ! pid_alive /run/slurmctld.pid; then log "starting slurmctld"; slurmctld 9>&-; fi
if ! pid_alive /run/slurmd.pid; then log "starting slurmd"; slurmd 9>&-; fi

for _ in $(seq 1 "$WAIT_S"); do
  state="$(node_state)"
  case "$state" in
    idle|mixed|allocated|completing) log "up: node $host is $state"; exit 0 ;;
    down*|drain*|drained*)
      scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true ;;
  esac
  sleep 1
done
log "Slurm did not become idle within ${WAIT_S}s (state: $(node_state)); see /var/log/slurm/"
exit 1
