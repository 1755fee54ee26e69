"""Peer for benches/compare: the SRP login compute of pycognito (pinned in requirements.txt),
driven through its own AWSSRP class with the fixed inputs.

    python pycognito_peer.py check INPUTS.json        -> outputs as JSON
    python pycognito_peer.py time INPUTS.json ITER    -> per-iteration milliseconds as JSON

AWSSRP.process_challenge reads the clock and os.urandom; both are replaced with the fixed
inputs here (the module's own `datetime` and `os` names), nothing else is changed.
"""

import datetime
import json
import sys
import time
import types

from pycognito import aws_srp

mode, inputs_path = sys.argv[1], sys.argv[2]
with open(inputs_path, encoding="utf-8") as f:
    inputs = json.load(f)
L, D = inputs["login"], inputs["device"]

FIXED_NOW = datetime.datetime.strptime(L["timestamp"], "%a %b %d %H:%M:%S UTC %Y")


class _FixedDatetime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return FIXED_NOW


aws_srp.datetime = types.SimpleNamespace(datetime=_FixedDatetime)

_queued = []


def _urandom(n):
    data = _queued.pop(0)
    assert len(data) == n, f"expected {n} random bytes"
    return data


aws_srp.os = types.SimpleNamespace(urandom=_urandom)

# One AWSSRP, made once (its constructor draws a random a and computes A; not part of a login).
_queued.append(bytes(128))
srp = aws_srp.AWSSRP(
    username=L["user_id_for_srp"],
    password=L["password"],
    pool_id=L["pool_id"],
    client_id="bench-client",
    client=object(),
)
challenge = {
    "USER_ID_FOR_SRP": L["user_id_for_srp"],
    "SALT": L["salt_hex"],
    "SRP_B": L["srp_b_hex"],
    "SECRET_BLOCK": L["secret_block_b64"],
    "USERNAME": L["user_id_for_srp"],
}
request = {"USERNAME": L["user_id_for_srp"]}


def ephemeral():
    srp.small_a_value = int(L["a_hex"], 16)
    srp.large_a_value = srp.calculate_a()
    return srp.large_a_value


def cold():
    return srp.process_challenge(challenge, request)["PASSWORD_CLAIM_SIGNATURE"]


def device():
    _queued.extend([bytes.fromhex(D["password_bytes_hex"]), bytes.fromhex(D["salt_bytes_hex"])])
    password, config = aws_srp.generate_hash_device(D["device_group_key"], D["device_key"])
    return {
        "device_password": password,
        "device_salt_b64": config["Salt"],
        "device_verifier_b64": config["PasswordVerifier"],
    }


def ms(start):
    return (time.perf_counter() - start) * 1000.0


if mode == "check":
    a = ephemeral()
    print(json.dumps({"srp_a_hex": f"{a:x}", "signature": cold(), **device()}))
elif mode == "time":
    iterations = int(sys.argv[3])
    ephemeral(); cold(); device()  # warm-up
    total, cold_times, dev = [], [], []
    for _ in range(iterations):
        t = time.perf_counter(); ephemeral(); cold(); total.append(ms(t))
        t = time.perf_counter(); cold(); cold_times.append(ms(t))
        t = time.perf_counter(); device(); dev.append(ms(t))
    print(json.dumps({"total": total, "cold": cold_times, "device": dev}))
else:
    sys.exit("usage: pycognito_peer.py check|time INPUTS.json [ITERATIONS]")
