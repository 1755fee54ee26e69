#!/usr/bin/env bash
# One command for the server-throughput comparison (see benches/README.md):
#   benches/compare/throughput.sh [--rounds N] [--seconds S] [--warmup S] [--connections K]
#                                 [--users U] [--e2e-concurrency C]
# Installs moto[server] from the pinned lock (tests/interop/python/requirements.lock) and
# gmpy2 into benches/compare/moto/.venv, builds the load generator, the end-to-end client and the
# emulator binary in release mode, then runs interleaved rounds and prints the tables (with
# the server's SRP powers, ours against GMP's, in the same rounds).
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
# The GMP reference of the server's SRP powers (same pin as compare/requirements.txt).
"$venv/bin/pip" install --quiet --disable-pip-version-check gmpy2==2.3.2 >&2
moto_version="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))')"

echo "== building loadgen, e2e-signins and cognito-emulator (release)" >&2
# One invocation: its features are unified, so the emulator library is compiled once (with the
# `mimalloc` feature its binary needs, which the library itself does not use) instead of once
# for the benches (default features off) and once more for the binary.
(cd "$root" && cargo build --quiet --release -p cognito-benches --bin loadgen --bin e2e-signins \
  --bin srp-compare -p cognito-emulator --bin cognito-emulator >&2)
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
  --srp-compare "$target_dir/release/srp-compare" \
  --gmp-python "$venv/bin/python" \
  --out "$here/out/throughput.json" \
  "$@"
