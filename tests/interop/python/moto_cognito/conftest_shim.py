"""Installed as tests/test_cognitoidp/conftest.py of moto's sdist by run.py.

moto's server mode resets its backend with `POST /moto-api/reset`, which the emulator does not
serve; each test gets a fresh emulator instead, on the port that TEST_SERVER_MODE_ENDPOINT names
(moto's `mock_aws` reads that endpoint when a test module is imported, so the port stays fixed).
"""

import os
import socket
import subprocess
import time
from urllib.parse import urlparse

import pytest

EMULATOR = os.environ["COGNITO_EMULATOR_BIN"]
PORT = urlparse(os.environ["TEST_SERVER_MODE_ENDPOINT"]).port


@pytest.fixture(autouse=True)
def fresh_emulator():
    proc = subprocess.Popen(
        [EMULATOR, "--port", str(PORT)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", PORT), 0.2).close()
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("the emulator did not start")
            time.sleep(0.02)
    yield
    proc.terminate()
    proc.wait()
