#!/usr/bin/env bash
# Starts N `apical node` processes on 127.0.0.1, waits until every one is an Up member of the cluster, then
# either runs COMMAND (with $SEED set to the first node's HOST:PORT) or holds until Ctrl-C, and finally stops
# every node cleanly (SIGTERM: each leaves the cluster before it exits).
#
#   deploy/local-cluster.sh N [COMMAND...]
#   deploy/local-cluster.sh 2 sh -c 'apical train --config configs/x.json --cluster "$SEED" --placement spread'
#
# Environment: APICAL (the apical executable; default: build src/Apical.Cli in Release), BASE_PORT (first
# node's port, default 25520; node i listens on BASE_PORT + i - 1), LOG_DIR (default: a new temporary directory),
# UP_TIMEOUT (seconds to wait for membership, default 90).
set -euo pipefail

if [[ $# -lt 1 || ! "$1" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 N [COMMAND...]   (N >= 1 node processes)" >&2
  exit 2
fi
N=$1; shift
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE_PORT=${BASE_PORT:-25520}
UP_TIMEOUT=${UP_TIMEOUT:-90}
LOG_DIR=${LOG_DIR:-$(mktemp -d -t apical-cluster.XXXXXX)}
mkdir -p "$LOG_DIR"

if [[ -z "${APICAL:-}" ]]; then
  echo "building apical (Release)..." >&2
  dotnet build "$ROOT/src/Apical.Cli/Apical.Cli.csproj" -c Release -v quiet -nologo >&2
  APICAL="$ROOT/src/Apical.Cli/bin/Release/net10.0/apical"
fi

PIDS=()
SLEEPER=
stop_nodes() {
  local pid
  [[ -n "$SLEEPER" ]] && kill "$SLEEPER" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped $N node(s); logs in $LOG_DIR" >&2
}
trap stop_nodes EXIT
trap 'exit 130' INT TERM

SEED="127.0.0.1:$BASE_PORT"
export SEED
for ((i = 1; i <= N; i++)); do
  port=$((BASE_PORT + i - 1))
  if [[ $i -eq 1 ]]; then
    "$APICAL" node --port "$port" >"$LOG_DIR/node$i.log" 2>&1 &
  else
    "$APICAL" node --port "$port" --seed "$SEED" >"$LOG_DIR/node$i.log" 2>&1 &
  fi
  PIDS+=($!)
done

deadline=$((SECONDS + UP_TIMEOUT))
for ((i = 1; i <= N; i++)); do
  until grep -q "^node: member up" "$LOG_DIR/node$i.log" 2>/dev/null; do
    if ! kill -0 "${PIDS[$((i - 1))]}" 2>/dev/null; then
      echo "node $i exited; see $LOG_DIR/node$i.log" >&2
      exit 1
    fi
    if ((SECONDS > deadline)); then
      echo "node $i is not an Up member after ${UP_TIMEOUT} s; see $LOG_DIR/node$i.log" >&2
      exit 1
    fi
    sleep 0.5
  done
done
echo "cluster up: $N node(s), seed $SEED" >&2

if [[ $# -gt 0 ]]; then
  "$@"
else
  echo "Ctrl-C stops the cluster" >&2
  while true; do
    sleep 3600 &
    SLEEPER=$!
    wait "$SLEEPER"
  done
fi
