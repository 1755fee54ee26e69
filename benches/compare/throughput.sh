#!/usr/bin/env bash
# One command for the server-throughput comparison (see benches/README.md):
#   benches/compare/throughput.sh [--rounds N] [--seconds S] [--warmup S] [--connections K]
#                                 [--users U] [--e2e-concurrency C]
# Installs moto[server] from the pinned lock (tests/interop/python/requirements.lock) into
# benches/compare/moto/.venv, builds the load generator, the end-to-end client and the
# emulator binary in release mode, then runs interleaved rounds and prints the tables.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/moto/.venv"

echo "== installing moto_server (pinned)" >&2
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  -r "$root/tests/interop/python/requirements.lock" >&2
moto_version="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))')"

echo "== building loadgen, e2e-signins and cognito-emulator (release)" >&2
(cd "$root" && cargo build --quiet --release -p cognito-benches --bin loadgen --bin e2e-signins >&2)
(cd "$root" && cargo build --quiet --release -p cognito-emulator --bin cognito-emulator >&2)
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac

mkdir -p "$here/out"
echo "== running" >&2
exec "$venv/bin/python" "$here/throughput.py" \
  --loadgen "$target_dir/release/loadgen" \
  --e2e "$target_dir/release/e2e-signins" \
  --emulator "$target_dir/release/cognito-emulator" \
  --moto-server "$venv/bin/moto_server" \
  --moto-version "$moto_version" \
  --out "$here/out/throughput.json" \
  "$@"
