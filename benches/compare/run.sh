#!/usr/bin/env bash
# One command for the side-by-side SRP comparison (see benches/README.md):
#   benches/compare/run.sh [--rounds N] [--scale F]
# Installs the pinned peers (npm lockfile; pinned PyPI packages in benches/compare/.venv),
# builds the Rust side in release mode, checks that every implementation gives the same
# outputs for the fixed inputs, then times them interleaved and prints one table.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

echo "== installing peers" >&2
(cd "$here/js" && npm ci --no-audit --no-fund --loglevel=error >&2)
if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2

echo "== building srp-compare (release)" >&2
(cd "$root" && cargo build --quiet --release -p cognito-benches --bin srp-compare >&2)
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac

echo "== comparing" >&2
exec "$here/.venv/bin/python" "$here/compare.py" --ours "$target_dir/release/srp-compare" "$@"
