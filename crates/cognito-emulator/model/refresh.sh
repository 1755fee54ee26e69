#!/usr/bin/env bash
# Refreshes the vendored AWS service models from a botocore release on PyPI.
#
#   crates/cognito-emulator/model/refresh.sh [VERSION]
#
# VERSION defaults to the botocore pinned in tests/interop/python/requirements.lock. The script
# downloads that wheel with pip (no dependencies, nothing installed) and writes, next to this
# script, the decompressed service-2.json of cognito-idp and cognito-identity, botocore's
# LICENSE and NOTICE, and VERSION (the release and the wheel's SHA-256). Review the diff, then
# run `cargo test -p cognito-emulator --test contract` and regenerate COVERAGE.md with
# `UPDATE_COVERAGE=1 cargo test -p cognito-emulator --test contract coverage`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
version="${1:-}"
if [[ -z "$version" ]]; then
    version="$(sed -n 's/^botocore==//p' "$repo/tests/interop/python/requirements.lock")"
fi
if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "refresh.sh: expected a botocore version like 1.44.8, got '$version'" >&2
    exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --dest "$work" "botocore==$version"
wheel="$(ls "$work"/botocore-"$version"-*.whl)"

python3 - "$wheel" "$here" "$version" <<'PY'
import gzip, hashlib, sys, zipfile
wheel, out, version = sys.argv[1:]
models = {
    "cognito-idp-2016-04-18.json": "botocore/data/cognito-idp/2016-04-18/service-2.json",
    "cognito-identity-2014-06-30.json": "botocore/data/cognito-identity/2014-06-30/service-2.json",
}
sha256 = hashlib.sha256(open(wheel, "rb").read()).hexdigest()
with zipfile.ZipFile(wheel) as z:
    names = set(z.namelist())
    for dest, src in models.items():
        # Newer botocore releases ship the models gzipped.
        if src in names:
            data = z.read(src)
        else:
            data = gzip.decompress(z.read(src + ".gz"))
        open(f"{out}/{dest}", "wb").write(data)
    info = f"botocore-{version}.dist-info/"
    open(f"{out}/LICENSE", "wb").write(z.read(info + "LICENSE.txt"))
    open(f"{out}/NOTICE", "wb").write(z.read(info + "NOTICE"))
with open(f"{out}/VERSION", "w") as f:
    f.write(f"botocore {version}\n")
    f.write(f"wheel {wheel.rsplit('/', 1)[-1]} sha256 {sha256}\n")
    for dest, src in models.items():
        f.write(f"{dest} <- {src}\n")
PY
echo "refreshed the models from botocore $version"
