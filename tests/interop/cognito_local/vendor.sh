#!/usr/bin/env bash
# How upstream/ was obtained: cognito-local's AWS SDK integration tests at a pinned commit.
# Run by hand with a clone of https://github.com/jagregory/cognito-local (CI never runs it:
# GitHub is not reachable from CI, so the files are committed).
#
#   tests/interop/cognito_local/vendor.sh /path/to/cognito-local
set -euo pipefail
COMMIT=27091317fc91f90df883b76da50eaef806a17174 # "chore(release): 5.2.0", 2026-04-18
SRC=${1:?usage: vendor.sh CLONE_OF_COGNITO_LOCAL}
HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$HERE/upstream"
mkdir -p "$HERE/upstream"
# The tests and the two helpers they import that have no cognito-local internals in them.
# setup.ts (their in-process server) and the other imported helpers are replaced by shim/.
git -C "$SRC" archive "$COMMIT" LICENSE integration-tests/aws-sdk \
    src/services/totp.ts src/__tests__/patterns.ts |
    tar -x -C "$HERE/upstream" --exclude=integration-tests/aws-sdk/setup.ts
echo "$COMMIT" >"$HERE/upstream/COMMIT"
