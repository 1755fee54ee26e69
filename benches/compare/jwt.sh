#!/usr/bin/env bash
# Token verification throughput, one thread: cognito-jwt vs aws-jwt-verify on the same tokens,
# with bare RSA-2048 verification (aws-lc-rs, ring, rsa) alongside (see benches/README.md):
#   benches/compare/jwt.sh [SECONDS_PER_ROW]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
(cd "$here/js" && npm ci --no-audit --no-fund --loglevel=error >&2)
(cd "$root" && cargo build --quiet --release -p cognito-benches --bin jwt-compare >&2)
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
exec "$target_dir/release/jwt-compare" "${1:-3}" --node-peer "$here/js/jwt-peer.js"
