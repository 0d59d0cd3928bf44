#!/usr/bin/env bash
# Stops the single-machine Slurm started by scripts/slurm-up.sh (slurmd, slurmctld, munged).
# Jobs still running are cancelled first. Idempotent.
set -uo pipefail

log() { echo "slurm-down: $*" >&2; }

if command -v scancel >/dev/null 2>&1; then scancel --user="$(id -un)" >/dev/null 2>&1 || true; fi
stop() {
  local name="$1" pidfile="$2" pid=""
  [ -f "$pidfile" ] && pid="$(cat "$pidfile")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "stopping $name ($pid)"
    kill "$pid"
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
}
stop slurmd /run/slurmd.pid
stop slurmctld /run/slurmctld.pid
pid="$(pgrep -x munged || true)"
if [ -n "$pid" ]; then
  log "stopping munged ($pid)"
  kill $pid
  for _ in $(seq 1 20); do pgrep -x munged >/dev/null || break; sleep 0.5; done
fi
exit 0
