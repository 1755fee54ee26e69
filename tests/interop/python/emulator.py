"""Starts the project's emulator binary on a free loopback port and stops it afterwards."""

import json
import os
import subprocess
import urllib.request

import boto3

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


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

    def client(self):
        return boto3.client(
            "cognito-idp",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    def hook(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path, data=data, method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req) as resp:
            text = resp.read().decode()
            return json.loads(text) if text else None

    def jwks(self, pool_id):
        with urllib.request.urlopen(f"{self.url}/{pool_id}/.well-known/jwks.json") as resp:
            return json.loads(resp.read())

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
