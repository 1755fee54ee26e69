"""Runs moto's own Cognito IdP tests (server mode) against the emulator.

moto's test suite is a second opinion on what Cognito answers, written by people who compared
it with AWS. Not every moto test holds for AWS (moto accepts input AWS refuses and has its own
wording); passing.txt lists the tests that pass today and CI keeps them passing. TRIAGE.md
sorts the failing ones: AWS refuses what moto accepts, wording only moto has, moto internals.

    python run.py            run the tests in passing.txt (CI)
    python run.py --all      run every test and print the ids that pass (to refresh passing.txt)

The tests come from moto's sdist on PyPI, at the version pinned in requirements.lock.
"""

import os
import shutil
import socket
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
LOCK = os.path.join(HERE, "..", "requirements.lock")
CACHE = os.path.join(HERE, ".cache")


def moto_version():
    with open(LOCK) as f:
        for line in f:
            if line.lower().startswith("moto=="):
                return line.strip().split("==")[1]
    raise SystemExit("moto is not pinned in requirements.lock")


def moto_tests(version):
    """Extracts tests/ (the top package, its conftest and test_cognitoidp) from the sdist."""
    dest = os.path.join(CACHE, f"moto-{version}")
    cognito = os.path.join(dest, "tests", "test_cognitoidp")
    if not os.path.isdir(cognito):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
             "--no-deps", "--no-binary", ":all:", f"moto=={version}", "-d", CACHE],
            check=True,
        )
        prefix = f"moto-{version}/tests/"
        wanted = (prefix + "__init__.py", prefix + "conftest.py", prefix + "test_cognitoidp/")
        with tarfile.open(os.path.join(CACHE, f"moto-{version}.tar.gz")) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(wanted)]
            try:
                tar.extractall(CACHE, members=members, filter="data")
            except TypeError:  # Python before 3.11.4 has no extraction filters
                tar.extractall(CACHE, members=members)
    shutil.copy(os.path.join(HERE, "conftest_shim.py"), os.path.join(cognito, "conftest.py"))
    return dest


def emulator_binary():
    given = os.environ.get("COGNITO_EMULATOR_BIN")
    if given:
        return os.path.abspath(given)
    subprocess.run(
        ["cargo", "build", "-q", "-p", "cognito-emulator", "--bin", "cognito-emulator"],
        cwd=ROOT, check=True,
    )
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "debug", "cognito-emulator")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    run_all = "--all" in sys.argv[1:]
    dest = moto_tests(moto_version())
    env = dict(
        os.environ,
        COGNITO_EMULATOR_BIN=emulator_binary(),
        TEST_SERVER_MODE="true",
        TEST_SERVER_MODE_ENDPOINT=f"http://127.0.0.1:{free_port()}",
        MOTO_CALL_RESET_API="false",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
    )
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no"]
    if run_all:
        cmd += ["--tb=no", "-rA", "tests/test_cognitoidp"]
        out = subprocess.run(cmd, cwd=dest, env=env, capture_output=True, text=True).stdout
        print(out.splitlines()[-1] if out else "no output")
        for line in out.splitlines():
            if line.startswith("PASSED "):
                print(line.split(" ", 1)[1])
        return 0
    with open(os.path.join(HERE, "passing.txt")) as f:
        ids = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    return subprocess.run(cmd + ["--tb=short"] + ids, cwd=dest, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
