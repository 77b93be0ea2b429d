#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a bounded time, one after the other, and prints
# per target the executions, the coverage and the corpus size libFuzzer reached. Exits
# non-zero if any target crashed (panic, failed invariant, sanitizer report, timeout or
# out-of-memory); the input that did it is kept under fuzz/artifacts/<target>/ and the
# command to replay it is printed. Meant for a nightly run; not part of .ci/run (CI time).
#
#   scripts/fuzz.sh                      # every target, 60 s each
#   scripts/fuzz.sh 600                  # 10 minutes each
#   scripts/fuzz.sh 120 nlu_text ics_text
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
# Environment: FUZZ_TIMEOUT (seconds one input may take before it counts as a hang,
# default 30), FUZZ_MAX_LEN (default 4096 bytes), FUZZ_TARGET_DIR (default fuzz/target),
# CARGO_BUILD_JOBS (build parallelism).
# The corpus grows in fuzz/corpus/<target>/ (ignored by git) from the committed seeds in
# fuzz/seeds/<target>/, so each run starts where the last one on this machine stopped.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
# Its own target directory: a sanitizer build shares nothing with the main workspace's, and
# a CARGO_TARGET_DIR exported for the main workspace would otherwise send it there.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/target}"

seconds="${1:-60}"
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds == 0)); then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: needs the nightly toolchain and cargo-fuzz (cargo install cargo-fuzz --locked)" >&2
  exit 2
fi

if (($# > 0)); then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

# One build of every target first, so the timed runs time fuzzing and not compiling.
cargo +nightly fuzz build

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
failed=()
printf '%-14s %10s %8s %8s %9s %8s  %s\n' target executions exec/s cov features corpus result
for target in "${targets[@]}"; do
  corpus="corpus/$target"
  mkdir -p "$corpus" "artifacts/$target"
  dirs=("$corpus")
  [[ -d "seeds/$target" ]] && dirs+=("seeds/$target")
  log="$logs/$target.log"
  status=0
  cargo +nightly fuzz run "$target" "${dirs[@]}" -- \
    -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-30}" -max_len="${FUZZ_MAX_LEN:-4096}" \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  # libFuzzer's status lines: "#<runs> <event> cov: <n> ft: <n> corp: <n>/<size> ... exec/s: <n>".
  last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  [[ -n "$runs" ]] || runs="$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")"
  ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")"
  corp="$(sed -nE 's/.* corp: ([0-9]+\/[0-9A-Za-z]+).*/\1/p' <<<"$last")"
  if ((status == 0)); then
    result=ok
  else
    result="CRASH (exit $status)"
    failed+=("$target")
  fi
  printf '%-14s %10s %8s %8s %9s %8s  %s\n' "$target" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
  if ((status != 0)); then
    # What libFuzzer said about it (the panic message or sanitizer report) and the input.
    grep -E 'panicked at|^SUMMARY|ERROR: libFuzzer|ERROR: AddressSanitizer|Test unit written to|ALARM|out-of-memory' "$log" |
      head -n 8 | sed 's/^/    /'
    artifact="$(sed -nE 's/.*Test unit written to (\S+).*/\1/p' "$log" | tail -n 1)"
    [[ -n "$artifact" ]] && echo "    replay: cd fuzz && cargo +nightly fuzz run $target $artifact"
    cp "$log" "artifacts/$target/last-run.log"
    echo "    full log: fuzz/artifacts/$target/last-run.log"
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzz: ${#failed[@]} target(s) crashed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s), ${seconds} s each, no crash"
