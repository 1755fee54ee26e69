"""GMP reference for benches/compare: the same login compute with the three modular powers
done by GMP (gmpy2.powmod), the hashing by Python's hashlib/hmac (OpenSSL-free big-integer
arithmetic; hashing is a few microseconds either way).

    python gmp_peer.py check INPUTS.json        -> outputs as JSON
    python gmp_peer.py time INPUTS.json ITER    -> per-iteration milliseconds as JSON
    python gmp_peer.py server-check INPUTS.json -> the server side's B and a digest of S
    python gmp_peer.py server INPUTS.json ITER  -> per-iteration milliseconds of the server's
                                                   S = (A*v^u)^b and B = k*v + g^b as JSON
"""

import base64
import hashlib
import hmac
import json
import sys
import time

import gmpy2

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = gmpy2.mpz(N_HEX, 16)
G = gmpy2.mpz(2)


def pad(n):
    """Cognito's padHex as bytes: minimal big-endian two's complement of a positive integer."""
    n = int(n)
    length = n.bit_length() // 8 + 1  # always room for a clear sign bit
    return n.to_bytes(length, "big")


def h(*parts):
    return hashlib.sha256(b"".join(parts)).digest()


K = gmpy2.mpz(int.from_bytes(h(pad(N), pad(G)), "big"))

mode, inputs_path = sys.argv[1], sys.argv[2]
with open(inputs_path, encoding="utf-8") as f:
    inputs = json.load(f)
L, D, SV = inputs["login"], inputs["device"], inputs.get("server")
POOL = L["pool_id"].split("_", 1)[1]
SECRET_BLOCK = base64.standard_b64decode(L["secret_block_b64"])


def ephemeral():
    a = gmpy2.mpz(L["a_hex"], 16)
    return a, gmpy2.powmod(G, a, N)


def cold(a, big_a):
    b = gmpy2.mpz(L["srp_b_hex"], 16)
    salt = gmpy2.mpz(L["salt_hex"], 16)
    u = gmpy2.mpz(int.from_bytes(h(pad(big_a), pad(b)), "big"))
    inner = h(f"{POOL}{L['user_id_for_srp']}:{L['password']}".encode("utf-8"))
    x = gmpy2.mpz(int.from_bytes(h(pad(salt), inner), "big"))
    base = (b - K * gmpy2.powmod(G, x, N)) % N
    s = gmpy2.powmod(base, a + u * x, N)
    prk = hmac.new(pad(u), pad(s), hashlib.sha256).digest()
    key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
    msg = POOL.encode() + L["user_id_for_srp"].encode() + SECRET_BLOCK + L["timestamp"].encode()
    return base64.standard_b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


def device():
    password = base64.standard_b64encode(bytes.fromhex(D["password_bytes_hex"])).decode()
    salt = gmpy2.mpz(D["salt_bytes_hex"], 16)
    inner = h(f"{D['device_group_key']}{D['device_key']}:{password}".encode("utf-8"))
    x = gmpy2.mpz(int.from_bytes(h(pad(salt), inner), "big"))
    v = gmpy2.powmod(G, x, N)
    return {
        "device_password": password,
        "device_salt_b64": base64.standard_b64encode(pad(salt)).decode(),
        "device_verifier_b64": base64.standard_b64encode(pad(v)).decode(),
    }


if SV is not None:
    SV_V, SV_A, SV_U, SV_B = (gmpy2.mpz(SV[k], 16)
                              for k in ("verifier_hex", "srp_a_hex", "u_hex", "b_hex"))


def server_s():
    """The server's premaster secret: the two powers v^u, then (A*v^u)^b."""
    return gmpy2.powmod(SV_A * gmpy2.powmod(SV_V, SV_U, N) % N, SV_B, N)


def server_b():
    return (K * SV_V + gmpy2.powmod(G, SV_B, N)) % N


def ms(start):
    return (time.perf_counter() - start) * 1000.0


if mode == "check":
    a, big_a = ephemeral()
    print(json.dumps({"srp_a_hex": f"{int(big_a):x}", "signature": cold(a, big_a), **device()}))
elif mode == "time":
    iterations = int(sys.argv[3])
    a, big_a = ephemeral(); cold(a, big_a); device()  # warm-up
    total, cold_times, dev = [], [], []
    for _ in range(iterations):
        t = time.perf_counter(); a, big_a = ephemeral(); cold(a, big_a); total.append(ms(t))
        t = time.perf_counter(); cold(a, big_a); cold_times.append(ms(t))
        t = time.perf_counter(); device(); dev.append(ms(t))
    print(json.dumps({"total": total, "cold": cold_times, "device": dev}))
elif mode == "server-check":
    s = server_s()
    print(json.dumps({"srp_b_hex": f"{int(server_b()):x}",
                      "s_sha256": hashlib.sha256(int(s).to_bytes((s.bit_length() + 7) // 8,
                                                                  "big")).hexdigest()}))
elif mode == "server":
    iterations = int(sys.argv[3])
    server_s(); server_b()  # warm-up
    s_times, b_times = [], []
    for _ in range(iterations):
        t = time.perf_counter(); server_s(); s_times.append(ms(t))
        t = time.perf_counter(); server_b(); b_times.append(ms(t))
    print(json.dumps({"server_s": s_times, "server_b": b_times}))
else:
    sys.exit("usage: gmp_peer.py check|time|server-check|server INPUTS.json [ITERATIONS]")
