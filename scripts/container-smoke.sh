#!/usr/bin/env bash
# The Dockerfile's steps, performed on this machine (no Docker engine needed): build the
# binary with the Dockerfile's own build command, copy it into a throwaway "image root",
# start it as a non-root user with the image's ENV and CMD, wait for the HEALTHCHECK's
# liveness route, check readiness, send the STOPSIGNAL and require exit status 0 within
# the grace period. The commands come from the Dockerfile lines marked "# smoke: ..." so
# the two cannot drift apart.
#
#   usage: scripts/container-smoke.sh
#   env:   CARGO_TARGET_DIR     reused (CI passes its warm target dir)
#          SMOKE_PROFILE        cargo profile instead of the Dockerfile's --release
#                               (e.g. "dev" for a quick local run); default: as written
#          SMOKE_PORT           host port instead of the image's 8080 (default: a free one)
set -euo pipefail
cd "$(dirname "$0")/.."
dockerfile=Dockerfile
fail() { echo "container-smoke: $*" >&2; exit 1; }
# The instruction on the line after "# smoke: NAME".
marked() { awk -v tag="# smoke: $1" '$0 == tag {getline; print; found=1} END {exit !found}' "$dockerfile" \
  || fail "no '# smoke: $1' line in $dockerfile"; }

build_line=$(marked build)        # RUN cargo build --release --locked --bin frontdesk
install_line=$(marked install)    # COPY --from=build /src/target/release/frontdesk /usr/local/bin/frontdesk
env_line=$(marked env)            # ENV K="v" ...
health_line=$(marked healthcheck) # HEALTHCHECK ... CMD ["curl", "-fsS", "http://127.0.0.1:8080/health/live"]
cmd_line=$(marked cmd)            # CMD ["frontdesk", "serve"]
stop_signal=$(awk '$1 == "STOPSIGNAL" {print $2}' "$dockerfile")
[[ $build_line == RUN\ cargo\ build* ]] || fail "unexpected build step: $build_line"
[[ $install_line == COPY\ --from=build* ]] || fail "unexpected install step: $install_line"
[[ -n $stop_signal ]] || fail "no STOPSIGNAL in $dockerfile"

# ---- build: the Dockerfile's command, in the CI target dir ---------------------------
build_cmd=${build_line#RUN }
profile_dir=release
if [[ -n ${SMOKE_PROFILE:-} ]]; then
  build_cmd=${build_cmd/--release/--profile $SMOKE_PROFILE}
  profile_dir=$SMOKE_PROFILE; [[ $SMOKE_PROFILE == dev ]] && profile_dir=debug
fi
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
echo "container-smoke: $build_cmd (target dir $target_dir)"
started=$SECONDS
eval "$build_cmd"
echo "container-smoke: build took $((SECONDS - started)) s"

# ---- install: copy into the image root ----------------------------------------------
read -r _ _ src dest <<<"$install_line"
root=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill -KILL "$server_pid" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
built="$target_dir/$profile_dir/${src##*/}"
[[ -x $built ]] || fail "the build did not produce $built"
mkdir -p "$root$(dirname "$dest")" "$root/data"
cp "$built" "$root$dest"
echo "container-smoke: $src -> $root$dest"

# ---- user: the image runs as an unprivileged user ------------------------------------
run_as=()
if [[ $(id -u) == 0 ]]; then
  chown nobody "$root/data"
  chmod 755 "$root"
  run_as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi

# ---- env and cmd: the image's, with /data mapped into the image root -----------------
port=${SMOKE_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
declare -a env_vars=()
eval "env_pairs=(${env_line#ENV })"
grace=30
for pair in "${env_pairs[@]}"; do
  key=${pair%%=*} value=${pair#*=}
  value=${value//\/data\//$root\/data\/}
  [[ $key == FRONTDESK_BIND ]] && value="127.0.0.1:$port"
  [[ $key == FRONTDESK_SHUTDOWN_GRACE_SECS ]] && grace=$value
  env_vars+=("$key=$value")
done
health_url=$(grep -o 'http://[^"]*' <<<"$health_line")
health_url=${health_url/:8080/:$port}
cmd_json=${cmd_line#CMD }
mapfile -t cmd < <(python3 -c 'import json,sys; print("\n".join(json.loads(sys.argv[1])))' "$cmd_json")
cmd[0]="$root$dest"   # the image's PATH finds it in /usr/local/bin
echo "container-smoke: starting ${cmd[*]} as ${run_as[*]:-$(id -un)} on port $port"
(cd "$root/data" && exec env -i PATH=/usr/bin:/bin "${env_vars[@]}" "${run_as[@]}" "${cmd[@]}") \
  >"$root/stdout.log" 2>"$root/stderr.log" &
server_pid=$!

# ---- healthcheck and readiness -------------------------------------------------------
for _ in $(seq 1 300); do
  curl -fsS "$health_url" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$root/stderr.log" >&2; fail "the server exited during start-up"; }
  sleep 0.1
done
curl -fsS "$health_url" >/dev/null || { cat "$root/stderr.log" >&2; fail "liveness $health_url never answered"; }
ready=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")
[[ $ready == 200 ]] || fail "readiness answered $ready"
server_user=$(ps -o user= -p "$server_pid" | tr -d " ")
[[ $server_user != root ]] || fail "the server runs as root"
[[ -f $root/data/frontdesk.db ]] || fail "the database was not created in the /data volume"
echo "container-smoke: live, ready, running as $server_user, database in /data"

# ---- stop: the image's STOPSIGNAL, exit 0 within the grace period -------------------
kill -s "${stop_signal#SIG}" "$server_pid"
stop_started=$SECONDS
status=0
for _ in $(seq 1 $((grace * 10))); do
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
  fail "still running $grace s after $stop_signal"
fi
wait "$server_pid" || status=$?
server_pid=
[[ $status == 0 ]] || { cat "$root/stderr.log" >&2; fail "exit status $status after $stop_signal"; }
grep -q '"shut down"' "$root/stderr.log" || fail "no 'shut down' log line"
echo "container-smoke: $stop_signal -> exit 0 in $((SECONDS - stop_started)) s; passed"
