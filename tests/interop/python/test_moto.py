"""Our blocking client against moto (`moto[server]`, pinned in requirements.txt).

Starts `moto_server` on a free loopback port, creates a user pool and an app client with
boto3, runs `cargo test -p cognito-blocking --test integration moto:: -- --ignored --nocapture` with
MOTO_URL, MOTO_POOL_ID and MOTO_CLIENT_ID set, and stops the server.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import unittest
import urllib.request

import boto3

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def moto_server_command():
    exe = shutil.which("moto_server") or os.path.join(os.path.dirname(sys.executable), "moto_server")
    return [exe]


class MotoServer:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            moto_server_command() + ["-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/moto-api/", timeout=1).read()
                return
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise RuntimeError("moto_server did not start")
                time.sleep(0.2)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class MotoInterop(unittest.TestCase):
    def test_blocking_client_against_moto(self):
        server = MotoServer()
        try:
            idp = boto3.client(
                "cognito-idp",
                endpoint_url=server.url,
                region_name="us-east-1",
                aws_access_key_id="test",
                aws_secret_access_key="test",
            )
            pool = idp.create_user_pool(PoolName="moto-interop")["UserPool"]
            client = idp.create_user_pool_client(
                UserPoolId=pool["Id"],
                ClientName="rust",
                ExplicitAuthFlows=[
                    "ALLOW_USER_SRP_AUTH",
                    "ALLOW_USER_PASSWORD_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH",
                ],
            )["UserPoolClient"]
            env = dict(
                os.environ,
                MOTO_URL=server.url,
                MOTO_POOL_ID=pool["Id"],
                MOTO_CLIENT_ID=client["ClientId"],
            )
            result = subprocess.run(
                ["cargo", "test", "-q", "-p", "cognito-blocking", "--test", "integration", "moto::",
                 "--", "--ignored", "--nocapture"],
                cwd=ROOT,
                env=env,
            )
            self.assertEqual(result.returncode, 0, "moto: the Rust test failed (see its output)")
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()
