#!/usr/bin/env bash
# Cold start to the first 200 from /health, and idle resident memory, of a release build
# on a fresh SQLite database. Prints each run and the medians.
#   usage: scripts/measure-startup.sh [RUNS]   (builds target/release/frontdesk first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
cargo build --release -q -p frontdesk-server
bin="$PWD/target/release/frontdesk"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
port=18089
starts=(); rss=()
for i in $(seq 1 "$runs"); do
  rm -f "$work"/fd.db*
  t0=$(date +%s%N)
  DATABASE_URL="sqlite://$work/fd.db?mode=rwc" FRONTDESK_LOG_LEVEL=warn "$bin" serve --bind "127.0.0.1:$port" 2>/dev/null &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do sleep 0.002; done
  t1=$(date +%s%N)
  sleep 2   # let it settle idle
  kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  ms=$(( (t1 - t0) / 1000000 ))
  starts+=("$ms"); rss+=("$kb")
  printf 'run %d: cold start %d ms, idle RSS %.1f MB\n' "$i" "$ms" "$(echo "$kb/1024" | bc -l)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf 'median: cold start %d ms, idle RSS %.1f MB (%d runs)\n' "$(median "${starts[@]}")" "$(echo "$(median "${rss[@]}")/1024" | bc -l)" "$runs"
