#!/usr/bin/env bash
# Adversarial API test: runs schemathesis (pinned in .ci/schemathesis-requirements.txt)
# over every operation of /openapi.json against the real server, with a valid API key,
# and fails on any 5xx or any response that breaks the documented contract (status code,
# content type, body schema). Used by .ci/run on SQLite and PostgreSQL; runs alone too:
#
#   scripts/schemathesis.sh                               # SQLite in a temporary file
#   DATABASE_URL=postgres://postgres@127.0.0.1/db scripts/schemathesis.sh
#
# Environment: FRONTDESK_BIN (default: build and use target/debug/frontdesk),
# ST_MAX_EXAMPLES (per operation, default 30), ST_SEED (default 1; `random` for a new one),
# ST_VENV (default $HOME/.cache/frontdesk-schemathesis-venv), ST_REPORT_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

requirements=.ci/schemathesis-requirements.txt
venv="${ST_VENV:-$HOME/.cache/frontdesk-schemathesis-venv}"
# The venv is rebuilt when missing or when the pinned versions change.
stamp="$(sha256sum "$requirements" | cut -c1-16)"
# Two runs at once (CI runs both backends side by side) build it once: the second waits.
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [[ ! -x "$venv/bin/st" || "$(cat "$venv/.requirements" 2>/dev/null)" != "$stamp" ]]; then
  echo "schemathesis: creating $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$requirements"
  echo "$stamp" >"$venv/.requirements"
fi
flock -u 9

if [[ -z "${FRONTDESK_BIN:-}" ]]; then
  cargo build --quiet --locked -p frontdesk-server --bin frontdesk
  FRONTDESK_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/frontdesk"
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export FRONTDESK_BIND="127.0.0.1:$port"
export DATABASE_URL="${DATABASE_URL:-sqlite://$work/frontdesk.db?mode=rwc}"
# Secrets at rest need a key; PostgreSQL refuses to start without one (docs/security.md).
export FRONTDESK_ENCRYPTION_KEY="${FRONTDESK_ENCRYPTION_KEY:-$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')}"
# The limits would turn most generated requests into 429s (documented, so not a failure,
# but nothing behind them would be tested); their own tests live in crates/web.
export FRONTDESK_RATE_LIMIT_ENABLED=false
# The server must not leave the machine: the demo clinic's providers are the sandbox.
export FRONTDESK_LOG_LEVEL="${FRONTDESK_LOG_LEVEL:-warn}"
backend="${DATABASE_URL%%:*}"

# `serve --demo` creates the demo clinic and prints a fresh API key on its own line.
"$FRONTDESK_BIN" serve --demo >"$work/stdout" 2>"$work/server.log" &
server_pid=$!
key=""
for _ in $(seq 1 600); do
  key="$(grep -m1 -E '^fdk_' "$work/stdout" || true)"
  [[ -n "$key" ]] && curl -sf "http://$FRONTDESK_BIND/health" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; echo "schemathesis: the server died"; exit 1; }
  sleep 0.2
done
[[ -n "$key" ]] || { echo "schemathesis: no API key from serve --demo"; cat "$work/stdout"; exit 1; }

# Give the demo clinic webhook credentials, and schemathesis the right ones (except
# Twilio's, which signs each request): generated bodies then get past authentication to
# the parsers; Twilio's requests exercise the forged-signature path.
secret() { python3 -c 'import secrets; print(secrets.token_hex(16))'; }
export ST_API_KEY="$key" ST_TENANT=demo ST_HELENA_TOKEN="$(secret)" ST_VAPI_SECRET="$(secret)" \
  ST_VOICE_SECRET="$(secret)" ST_N8N_TOKEN="$(secret)"
curl -sf -o /dev/null -X PATCH "http://$FRONTDESK_BIND/api/v1/settings" -H "X-API-KEY: $key" \
  -H 'Content-Type: application/merge-patch+json' --data-binary @- <<JSON || { echo "schemathesis: cannot configure the demo clinic"; exit 1; }
{"messaging": {"twilio": {"account_sid": "AC00000000000000000000000000000000", "auth_token": "$(secret)"},
               "helena": {"api_token": "pn_$(secret)", "webhook_secret": "$ST_HELENA_TOKEN", "from": "+5511999990000"}},
 "voice": {"webhook_secret": "$ST_VOICE_SECRET",
           "vapi": {"api_key": "$(secret)", "assistant_id": "a", "phone_number_id": "p", "server_secret": "$ST_VAPI_SECRET"}},
 "dialogue": {"n8n": {"webhook_url": "https://n8n.invalid/webhook/frontdesk", "callback_token": "$ST_N8N_TOKEN"}}}
JSON
report_dir="$(realpath -m "${ST_REPORT_DIR:-$work/report}")"
seed="${ST_SEED:-1}"
seed_args=()
[[ "$seed" != random ]] && seed_args=(--seed "$seed")
status=0
summaries=()
# One schemathesis run; its output goes to the log, its last line (the summary) is kept.
st_run() {
  local name="$1"; shift
  local rc=0
  # Run from the temporary directory: schemathesis keeps a cache in its working directory.
  (cd "$work" && "$venv/bin/st" --config-file "$root/.ci/schemathesis.toml" run "http://$FRONTDESK_BIND/openapi.json" \
    --max-examples "${ST_MAX_EXAMPLES:-30}" "${seed_args[@]}" \
    --report junit --report-dir "$report_dir/$name" --no-color "$@") >"$work/st-$name.log" 2>&1 || rc=$?
  cat "$work/st-$name.log"
  local log="$work/st-$name.log" tested cases verdict
  tested="$(grep -A2 '^API Operations:' "$log" | grep -oE 'Tested: [0-9]+' | grep -oE '[0-9]+' || true)"
  cases="$(grep -A1 '^Test cases:' "$log" | tail -n 1 | sed 's/^ *//' || true)"
  verdict="$(grep -E '^=+ .* in [0-9.]+s =+$' "$log" | tail -n 1 | sed -E 's/^=+ //; s/ =+$//' || true)"
  summaries+=("$name: ${tested:-?} operations, ${cases:-no test cases}; ${verdict:-no result} (exit $rc)")
  [[ $rc -eq 0 ]] || status=$rc
}
# Revoking a key is fuzzed last and alone: schemathesis learns the prefix of the key in use
# from GET /api/v1/api-keys and revokes it, after which every other operation is a 401.
revoke='/api/v1/api-keys/{prefix}'
st_run api --exclude-path "$revoke"
st_run revoke --include-path "$revoke"

if grep -qE 'panicked' "$work/server.log"; then
  echo "schemathesis: the server panicked:"; grep -E -A3 'panicked' "$work/server.log" | sed -n 1,40p
  status=1
fi
for line in "${summaries[@]}"; do echo "schemathesis summary ($backend) $line"; done
exit "$status"
