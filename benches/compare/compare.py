"""Side-by-side SRP login compute: this crate against amazon-cognito-identity-js, pycognito and
a GMP reference. Run through run.sh, which installs the pinned peers first.

1. Writes the fixed inputs (from the Rust side) to out/inputs.json.
2. Runs every implementation once in `check` mode and stops unless all produce the same A,
   signature and device verifier.
3. Runs `time` rounds, interleaved (the order rotates each round), each a fresh process with
   a warm-up iteration first, and prints one table: median, min-max and ratios.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")
CHECKED = ["srp_a_hex", "signature", "device_password", "device_salt_b64", "device_verifier_b64"]
MEASURES = [
    ("total", "login total (A + claim)"),
    ("cold", "login cold (A known)"),
    ("device", "device verifier"),
]
# The server's side of the same login (ours and the GMP reference only).
SERVER_MEASURES = [
    ("server_s", "server S: v^u, then (A·v^u)^b"),
    ("server_s_first", "server S, a user's first handshake (ours only)"),
    ("server_b", "server B = k·v + g^b"),
]
SERVER_CHECKED = ["srp_b_hex", "s_sha256"]


def versions():
    py = os.path.join(HERE, ".venv", "bin", "python")
    out = subprocess.run(
        [py, "-c", "import importlib.metadata as m, gmpy2; "
         "print(m.version('pycognito'), m.version('gmpy2'), gmpy2.mp_version())"],
        capture_output=True, text=True, check=True).stdout.split()
    with open(os.path.join(HERE, "js", "node_modules", "amazon-cognito-identity-js",
                           "package.json"), encoding="utf-8") as f:
        js = json.load(f)["version"]
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return {"pycognito": out[0], "gmpy2": out[1], "gmp": " ".join(out[2:]), "js": js,
            "node": node, "python": sys.version.split()[0]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True, help="path of the srp-compare binary")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiplies every implementation's iterations per round")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    inputs = os.path.join(OUT, "inputs.json")
    with open(inputs, "w", encoding="utf-8") as f:
        f.write(subprocess.run([args.ours, "inputs"], capture_output=True, text=True,
                               check=True).stdout)

    v = versions()
    py = os.path.join(HERE, ".venv", "bin", "python")
    # name, command prefix (mode and the rest are appended), iterations per round
    impls = [
        ("cognito-rs (ours)", [args.ours], 30, False),
        (f"GMP reference (gmpy2 {v['gmpy2']}, {v['gmp']})",
         [py, os.path.join(HERE, "py", "gmp_peer.py")], 30, True),
        (f"pycognito {v['pycognito']} (Python {v['python']})",
         [py, os.path.join(HERE, "py", "pycognito_peer.py")], 6, True),
        (f"amazon-cognito-identity-js {v['js']} (Node {v['node']})",
         ["node", os.path.join(HERE, "js", "peer.js")], 3, True),
    ]

    def command(impl, mode, *rest):
        name, prefix, _, takes_inputs = impl
        return prefix + [mode] + ([inputs] if takes_inputs else []) + list(rest)

    # 1. Same outputs everywhere, before anything is timed.
    reference = None
    for impl in impls:
        out = json.loads(subprocess.run(command(impl, "check"), capture_output=True, text=True,
                                        check=True).stdout)
        got = {k: out[k] for k in CHECKED}
        if reference is None:
            reference = got
        for k in CHECKED:
            if got[k] != reference[k]:
                sys.exit(f"MISMATCH: {impl[0]} gives a different {k}: {got[k]!r} "
                         f"(ours: {reference[k]!r})")
    print(f"check: all {len(impls)} implementations give the same SRP_A, signature "
          f"({reference['signature']}) and device verifier for the fixed inputs")
    servers = [impls[0], impls[1]]  # ours and GMP
    server_ref = None
    for impl in servers:
        out = json.loads(subprocess.run(command(impl, "server-check"), capture_output=True,
                                        text=True, check=True).stdout)
        got = {k: out[k] for k in SERVER_CHECKED}
        server_ref = server_ref or got
        if got != server_ref:
            sys.exit(f"MISMATCH: {impl[0]} gives a different server B or S: {got} "
                     f"(ours: {server_ref})")
    print("check: ours and GMP give the same server B and S")

    # 2. Interleaved timing rounds.
    samples = {impl[0]: {m: [] for m, _ in MEASURES + SERVER_MEASURES} for impl in impls}
    firsts = []
    started = time.time()
    for r in range(args.rounds):
        order = impls[r % len(impls):] + impls[:r % len(impls)]
        for impl in order:
            n = max(1, round(impl[2] * args.scale))
            out = json.loads(subprocess.run(command(impl, "time", str(n)), capture_output=True,
                                            text=True, check=True).stdout)
            for m, _ in MEASURES:
                samples[impl[0]][m].extend(out[m])
            if impl in servers:
                n = max(1, round(100 * args.scale))
                out = json.loads(subprocess.run(command(impl, "server", str(n)),
                                                capture_output=True, text=True,
                                                check=True).stdout)
                for m, _ in SERVER_MEASURES:
                    samples[impl[0]][m].extend(out.get(m, []))
        firsts.append(json.loads(subprocess.run([args.ours, "first"], capture_output=True,
                                                text=True, check=True).stdout)["first"])
        print(f"round {r + 1}/{args.rounds} done ({time.time() - started:.0f} s)", file=sys.stderr)

    # 3. One table.
    ours = impls[0][0]
    lines = []
    lines.append("| measure | implementation | n | median ms | min - max ms | ours / peer "
                 "| peer / ours | ours / peer, of the minima |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|")
    for m, label in MEASURES + SERVER_MEASURES:
        if not samples[ours][m]:
            continue
        our_median = statistics.median(samples[ours][m])
        our_min = min(samples[ours][m])
        for impl in impls:
            xs = samples[impl[0]][m]
            if not xs:
                continue
            med = statistics.median(xs)
            ratio = "" if impl[0] == ours else f"{our_median / med:.3f}"
            speed = "" if impl[0] == ours else f"{med / our_median:.1f}x"
            min_ratio = "" if impl[0] == ours else f"{our_min / min(xs):.3f}"
            lines.append(f"| {label} | {impl[0]} | {len(xs)} | {med:.3f} | "
                         f"{min(xs):.3f} - {max(xs):.3f} | {ratio} | {speed} | {min_ratio} |")
    print()
    print("\n".join(lines))
    print()
    print(f"ours, first login in a fresh process (fixed-base tables built then): median "
          f"{statistics.median(firsts):.2f} ms, min-max {min(firsts):.2f} - {max(firsts):.2f} ms "
          f"over {len(firsts)} processes")
    with open(os.path.join(OUT, "samples.json"), "w", encoding="utf-8") as f:
        json.dump({"versions": v, "samples": samples, "first": firsts}, f)


if __name__ == "__main__":
    main()
