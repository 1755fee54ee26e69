"""The AWS CLI (`aws`, version 1, pinned in requirements.txt) against the project's emulator.

One emulator process serves the whole session; each test makes its own pools, so tests do
not depend on each other. Every CLI call is the real `aws` executable of this venv run as a
subprocess, with `--endpoint-url` pointing at the emulator, as a user runs it from a shell.
Bulk set-up that is not what a test is about (dozens of users for a pagination test) goes
over the wire directly, which keeps the suite to a few dozen CLI processes.
"""

import base64
import hashlib
import hmac
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
# The `aws` script installed next to the interpreter that runs pytest (the suite's venv).
AWS = os.path.join(os.path.dirname(sys.executable), "aws")

_names = itertools.count()


def unique(prefix):
    """A name no other test of this session uses."""
    return f"{prefix}{os.getpid()}x{next(_names)}"


class Result:
    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        assert self.out.strip(), f"aws {' '.join(self.args)}: no output (stderr: {self.err})"
        return json.loads(self.out)

    def __repr__(self):
        return f"aws {' '.join(self.args)} -> rc {self.rc}\nstdout: {self.out}\nstderr: {self.err}"


class WireError(Exception):
    def __init__(self, status, body):
        super().__init__(f"{status} {body}")
        self.status = status
        self.type = str(body.get("__type", "")).split("#")[-1]
        self.message = body.get("message")


class Emulator:
    def __init__(self):
        cmd = os.environ.get("COGNITO_EMULATOR_BIN")
        args = [cmd] if cmd else ["cargo", "run", "-q", "-p", "cognito-emulator", "--"]
        self.proc = subprocess.Popen(
            args + ["--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        line = self.proc.stdout.readline().strip()
        prefix = "listening on "
        if not line.startswith(prefix):
            self.proc.kill()
            raise RuntimeError(f"emulator did not start: {line!r}")
        self.url = line[len(prefix):]
        # The CLI reads no user configuration but this one: static keys and a region come
        # from the environment, as in a CI job. AWS CLI v1 fetches any parameter value that
        # starts with http:// or https:// and sends the page instead (callback URLs!);
        # `cli_follow_urlparam = false` is the documented way users turn that off.
        self.home = tempfile.mkdtemp(prefix="awscli-home-")
        config = os.path.join(self.home, "config")
        with open(config, "w") as f:
            f.write("[default]\ncli_follow_urlparam = false\n")
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": self.home,
            "AWS_CONFIG_FILE": config,
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.home, "credentials"),
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "LC_ALL": "C.UTF-8",
        }

    def aws(self, *args, env=None, stdin=None):
        """Runs `aws --endpoint-url <emulator> ARGS...` and returns its exit code and output."""
        full_env = dict(self.env)
        for k, v in (env or {}).items():
            if v is None:
                full_env.pop(k, None)
            else:
                full_env[k] = v
        args = [str(a) for a in args]
        proc = subprocess.run(
            [AWS, "--endpoint-url", self.url, *args],
            env=full_env, input=stdin, capture_output=True, text=True, timeout=300,
        )
        return Result(args, proc)

    def ok(self, *args, **kw):
        """`aws(...)` that must exit 0; returns the parsed JSON output (None when empty)."""
        r = self.aws(*args, **kw)
        assert r.rc == 0, repr(r)
        return json.loads(r.out) if r.out.strip() else None

    def wire(self, operation, body, service="AWSCognitoIdentityProviderService"):
        """One unsigned JSON call, for set-up that is not what the test checks."""
        req = urllib.request.Request(
            self.url + "/", data=json.dumps(body).encode(), method="POST",
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": f"{service}.{operation}",
            },
        )
        try:
            with urllib.request.urlopen(req) as resp:
                text = resp.read().decode()
        except urllib.error.HTTPError as e:
            raise WireError(e.code, json.loads(e.read().decode() or "{}")) from None
        return json.loads(text) if text else {}

    def hook(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path, data=data, method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req) as resp:
            text = resp.read().decode()
            return json.loads(text) if text else None

    def code_for(self, username, kind):
        msgs = [m for m in self.hook(f"/_emulator/messages?username={username}") if m["kind"] == kind]
        assert msgs, f"no {kind} message for {username}"
        return msgs[-1]["code"]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.home, ignore_errors=True)


@pytest.fixture(scope="session")
def emu():
    e = Emulator()
    yield e
    e.stop()


def secret_hash(username, client_id, secret):
    mac = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


@pytest.fixture
def pool(emu):
    """A pool with a relaxed password policy and an app client (no secret) allowing the
    password flows; returns (pool_id, client_id)."""
    pid = emu.wire("CreateUserPool", {
        "PoolName": unique("cli-"),
        "Policies": {"PasswordPolicy": {"MinimumLength": 8, "RequireSymbols": False}},
        "AutoVerifiedAttributes": ["email"],
    })["UserPool"]["Id"]
    cid = emu.wire("CreateUserPoolClient", {
        "UserPoolId": pid, "ClientName": "app",
        "ExplicitAuthFlows": [
            "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
    })["UserPoolClient"]["ClientId"]
    return pid, cid


def confirmed_user(emu, pool_id, username, password, email=None):
    attrs = [{"Name": "email", "Value": email or f"{username}@example.com"},
             {"Name": "email_verified", "Value": "true"}]
    emu.wire("AdminCreateUser", {
        "UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS",
        "UserAttributes": attrs,
    })
    emu.wire("AdminSetUserPassword", {
        "UserPoolId": pool_id, "Username": username, "Password": password, "Permanent": True,
    })
