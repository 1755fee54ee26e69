"""Server-throughput comparison: our emulator against moto_server, plus the async driver's
end-to-end sign-ins per second. Started by throughput.sh (see benches/README.md).

Every run gets a fresh server process. The same load generator (`loadgen`) drives both
servers with the same InitiateAuth(USER_PASSWORD_AUTH) + GetUser mix. Runs are interleaved
(the order rotates every round) so that both servers see the same machine load; the table
shows medians over the rounds.
"""

import argparse
import tempfile
import json
import os
import socket
import statistics
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def start_server(kind, args):
    port = free_port()
    if kind == "emulator":
        cmd = [args.emulator, "--host", "127.0.0.1", "--port", str(port)]
        if args.emulator_data_dir:
            # A fresh store per run, so each run starts from the same (empty) state.
            cmd += ["--data-dir", tempfile.mkdtemp(dir=args.emulator_data_dir)]
    else:
        cmd = [args.moto_server, "-H", "127.0.0.1", "-p", str(port)]
    # moto_server logs one line per request on stderr; the emulator prints its address.
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, proc)
    return proc, f"http://127.0.0.1:{port}"


def result_line(out):
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    return None


def run(cmd, label):
    load = os.getloadavg()[0]
    p = subprocess.run(cmd, capture_output=True, text=True)
    sys.stderr.write(p.stdout)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
    r = result_line(p.stdout)
    if r is None:
        raise RuntimeError(f"{label}: no result (exit {p.returncode})")
    r["load1"] = load
    r["exit"] = p.returncode
    return r


def server_run(kind, args):
    proc, url = start_server(kind, args)
    try:
        return run([args.loadgen, "--url", url, "--connections", str(args.connections),
                    "--users", str(args.users), "--warmup", str(args.warmup),
                    "--seconds", str(args.seconds), "--server-pid", str(proc.pid),
                    "--label", kind], kind)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def e2e_run(flow, args):
    return run([args.e2e, "rate", "--flow", flow, "--concurrency", str(args.e2e_concurrency),
                "--warmup", str(args.warmup), "--seconds", str(args.seconds)], f"e2e {flow}")


def exps_run(args):
    """The server's two SRP powers, ours and GMP's, back to back in the same round."""
    out = {}
    for name, cmd in [("ours", [args.srp_compare, "server", str(args.exp_iterations)]),
                      ("gmp", [args.gmp_python, args.gmp_peer, "server", args.inputs,
                               str(args.exp_iterations)])]:
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"exps {name}: exit {p.returncode}: {p.stderr}")
        r = json.loads(p.stdout)
        # The fastest run of each computation: a fixed computation's CPU cost. Wall-clock
        # medians of millisecond-long runs mostly show when another process took the core.
        out[name] = {f"{k}_ms": min(xs) for k, xs in r.items()}
        out[name].update({f"{k}_median_ms": statistics.median(xs) for k, xs in r.items()})
    out["load1"] = os.getloadavg()[0]
    out["exit"] = 0
    return out


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loadgen", required=True)
    ap.add_argument("--e2e", required=True)
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--moto-server", required=True)
    ap.add_argument("--moto-version", default="?")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--e2e-concurrency", type=int, default=16)
    ap.add_argument("--out", default=None)
    ap.add_argument("--emulator-data-dir", default=None,
                    help="run the emulator job with --data-dir (a new directory under this one "
                         "per run) to measure durable state")
    ap.add_argument("--srp-compare", required=True, help="path of the srp-compare binary")
    ap.add_argument("--gmp-python", required=True, help="a Python with gmpy2")
    ap.add_argument("--exp-iterations", type=int, default=200)
    args = ap.parse_args()

    here = os.path.dirname(os.path.abspath(__file__))
    args.gmp_peer = os.path.join(here, "py", "gmp_peer.py")
    os.makedirs(os.path.join(here, "out"), exist_ok=True)
    args.inputs = os.path.join(here, "out", "inputs.json")
    with open(args.inputs, "w", encoding="utf-8") as f:
        f.write(subprocess.run([args.srp_compare, "inputs"], capture_output=True, text=True,
                               check=True).stdout)
    checks = [json.loads(subprocess.run(cmd, capture_output=True, text=True,
                                        check=True).stdout)
              for cmd in ([args.srp_compare, "server-check"],
                          [args.gmp_python, args.gmp_peer, "server-check", args.inputs])]
    if checks[0] != checks[1]:
        sys.exit(f"MISMATCH: ours and GMP give a different server B or S: {checks}")

    jobs = ["emulator", "moto", "e2e:srp", "e2e:password", "exps"]
    results = {j: [] for j in jobs}
    for r in range(args.rounds):
        order = jobs[r % len(jobs):] + jobs[:r % len(jobs)]
        sys.stderr.write(f"== round {r + 1}/{args.rounds}: {', '.join(order)}\n")
        for job in order:
            if job.startswith("e2e:"):
                results[job].append(e2e_run(job[4:], args))
            elif job == "exps":
                results[job].append(exps_run(args))
            else:
                results[job].append(server_run(job, args))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)

    loads = [x["load1"] for j in jobs for x in results[j]]
    print(f"\n{args.rounds} rounds, {args.seconds:g} s measured after {args.warmup:g} s warm-up "
          f"per run; load average (1 min) at the runs' starts {min(loads):.1f} - {max(loads):.1f}\n")
    print(f"Server throughput, InitiateAuth(USER_PASSWORD_AUTH) + GetUser, "
          f"{args.connections} keep-alive connections, {args.users} users:\n")
    print("| server | median requests/s | min - max | pairs/s | server CPU ms/request "
          "| InitiateAuth p50 ms | GetUser p50 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    names = {"emulator": "cognito-emulator (ours)", "moto": f"moto_server {args.moto_version}"}
    for kind in ["emulator", "moto"]:
        rs = results[kind]
        rates = [x["req_per_s"] for x in rs]
        print(f"| {names[kind]} | {med(rates):.0f} | {min(rates):.0f} - {max(rates):.0f} "
              f"| {med([x['pairs_per_s'] for x in rs]):.0f} "
              f"| {med([x['server_cpu_ms_per_req'] for x in rs]):.3f} "
              f"| {med([x['initiate_auth_p50_ms'] for x in rs]):.2f} "
              f"| {med([x['get_user_p50_ms'] for x in rs]):.2f} "
              f"| {sum(x['errors'] for x in rs)} |")
    e, m = results["emulator"], results["moto"]
    ratio = med([x["req_per_s"] for x in e]) / med([x["req_per_s"] for x in m])
    per_round = [a["req_per_s"] / b["req_per_s"] for a, b in zip(e, m)]
    cpu_ratio = med([x["server_cpu_ms_per_req"] for x in m]) / med(
        [x["server_cpu_ms_per_req"] for x in e])
    print(f"\nours / moto, requests/s: {ratio:.2f}x (median of each); per round "
          f"{', '.join(f'{x:.2f}' for x in per_round)}")
    print(f"moto / ours, server CPU time per request: {cpu_ratio:.2f}x")

    print(f"\nEnd to end, the async driver against the emulator (its own process), "
          f"{args.e2e_concurrency} sign-ins in flight:\n")
    print("| flow | median sign-ins/s | min - max | p50 latency ms | client CPU ms/sign-in "
          "| server CPU ms/sign-in | failed |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for job, name in [("e2e:srp", "USER_SRP_AUTH"), ("e2e:password", "USER_PASSWORD_AUTH")]:
        rs = results[job]
        rates = [x["sign_ins_per_s"] for x in rs]
        print(f"| {name} | {med(rates):.0f} | {min(rates):.0f} - {max(rates):.0f} "
              f"| {med([x['p50_ms'] for x in rs]):.1f} "
              f"| {med([x['client_cpu_ms_per_sign_in'] for x in rs]):.2f} "
              f"| {med([x['server_cpu_ms_per_sign_in'] for x in rs]):.2f} "
              f"| {sum(x['failed'] for x in rs)} |")

    ex = results["exps"]
    srp_cpu = med([x["server_cpu_ms_per_sign_in"] for x in results["e2e:srp"]])
    pw_cpu = med([x["server_cpu_ms_per_sign_in"] for x in results["e2e:password"]])
    gmp_s = med([x["gmp"]["server_s_ms"] for x in ex])
    ours_s = med([x["ours"]["server_s_ms"] for x in ex])
    print(f"\nThe server's SRP powers (ours: srp-compare; GMP: gmpy2.powmod), the fastest of "
          f"{args.exp_iterations} runs per round, median over the rounds:\n")
    print("| computation | ours ms | GMP ms | ours / GMP |")
    print("|---|---:|---:|---:|")
    # "server_s_first" (ours only): a user's first handshake, the verifier's table built then.
    for key, gkey, label in [
            ("server_s_ms", "server_s_ms", "S: v^u, then (A·v^u)^b"),
            ("server_s_first_ms", "server_s_ms",
             "S, a user's first handshake (verifier table built)"),
            ("server_b_ms", "server_b_ms", "B = k·v + g^b")]:
        if key not in ex[0]["ours"]:
            continue
        o = med([x["ours"][key] for x in ex])
        g = med([x["gmp"][gkey] for x in ex])
        print(f"| {label} | {o:.3f} | {g:.3f} | {o / g:.2f} |")
    extra = srp_cpu - pw_cpu
    print(f"\nSRP's extra server CPU over a password sign-in: {srp_cpu:.2f} - {pw_cpu:.2f} = "
          f"{extra:.2f} ms; GMP's time for v^u and (A·v^u)^b: {gmp_s:.2f} ms "
          f"(ours {ours_s:.2f} ms); extra / GMP = {extra / gmp_s:.2f} "
          f"({'at most' if extra <= gmp_s else 'more than'} GMP's time)")

    failed = any(x["exit"] != 0 for j in jobs for x in results[j])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
