"""Paired throughput of the emulator in memory and with `--data-dir` (see benches/README.md).

Each round starts one emulator in memory and one on a fresh data directory (the order
alternating every round, so both see the same machine load) and drives each with `loadgen`,
the InitiateAuth(USER_PASSWORD_AUTH) + GetUser mix of throughput.sh. It prints both rates and
their ratio per round, and the median ratio. With --count-fsyncs it also counts the store's fsyncs
(fdatasync calls, with `perf stat`) during the data-dir runs, to show how many sign-ins share one commit.

With --e2e (the `e2e-signins` binary) each run is instead `e2e-signins rate --flow FLOW`
(complete sign-ins through the async driver, `srp` by default), its emulator in memory or on
a fresh data directory: sign-ins/s and server CPU per sign-in.

    python3 benches/compare/durable.py --loadgen target/release/loadgen \\
        --emulator target/release/cognito-emulator [--rounds 6] [--seconds 8] [--dir /var/tmp]
    python3 benches/compare/durable.py --e2e target/release/e2e-signins [--flow srp] [--rounds 6]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from throughput import free_port, result_line, wait_port  # noqa: E402


def e2e_one_run(args, data_dir):
    cmd = [args.e2e, "rate", "--flow", args.flow, "--concurrency", str(args.connections),
           "--warmup", str(args.warmup), "--seconds", str(args.seconds)]
    tmp = None
    if data_dir:
        tmp = tempfile.mkdtemp(dir=args.dir)
        cmd += ["--data-dir", tmp]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
        r = result_line(p.stdout)
        if r is None or r.get("failed"):
            raise RuntimeError(f"e2e-signins: {p.stdout} {p.stderr}")
        return r
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def paired_rounds(rounds, run):
    """Yields (round, in-memory result, data-dir result), alternating which runs first."""
    for i in range(rounds):
        order = [False, True] if i % 2 == 0 else [True, False]
        res = {d: run(d) for d in order}
        yield i + 1, res[False], res[True]


def print_summary(what, unit, ratios, cpu):
    print(f"\ndata-dir / memory, {what}: median {statistics.median(ratios):.2f} "
          f"(range {min(ratios):.2f} - {max(ratios):.2f}); server CPU per {unit}: median "
          f"{statistics.median(cpu):.2f}x; load average at the end "
          f"{os.getloadavg()[0]:.1f}")


def e2e_main(args):
    ratios, cpu = [], []
    print(f"| round | memory {args.flow} sign-ins/s | data-dir sign-ins/s | ratio "
          "| memory server CPU ms/sign-in | data-dir server CPU ms/sign-in "
          "| p50 ms (mem / dir) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for i, m, d in paired_rounds(args.rounds, lambda on_disk: e2e_one_run(args, on_disk)):
        ratio = d["sign_ins_per_s"] / m["sign_ins_per_s"]
        ratios.append(ratio)
        mc, dc = m["server_cpu_ms_per_sign_in"], d["server_cpu_ms_per_sign_in"]
        cpu.append(dc / mc)
        print(f"| {i} | {m['sign_ins_per_s']:.0f} | {d['sign_ins_per_s']:.0f} "
              f"| {ratio:.2f} | {mc:.3f} | {dc:.3f} "
              f"| {m['p50_ms']:.1f} / {d['p50_ms']:.1f} |", flush=True)
    print_summary(f"{args.flow} sign-ins/s", "sign-in", ratios, cpu)
    print("RESULT " + json.dumps({"flow": args.flow, "ratios": ratios, "cpu": cpu}))


def one_run(args, data_dir):
    port = free_port()
    cmd = [args.emulator, "--host", "127.0.0.1", "--port", str(port)]
    tmp = None
    if data_dir:
        tmp = tempfile.mkdtemp(dir=args.dir)
        cmd += ["--data-dir", tmp]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tracer = None
    try:
        wait_port(port, proc)
        if data_dir and args.count_fsyncs:
            # Counting a tracepoint costs the server next to nothing (strace would stop it
            # at every call).
            tracer = subprocess.Popen(
                ["perf", "stat", "-x", ",", "-e", "syscalls:sys_enter_fdatasync",
                 "-e", "syscalls:sys_enter_fsync", "-p", str(proc.pid)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        p = subprocess.run(
            [args.loadgen, "--url", f"http://127.0.0.1:{port}", "--connections",
             str(args.connections), "--users", str(args.users), "--warmup", str(args.warmup),
             "--seconds", str(args.seconds), "--server-pid", str(proc.pid),
             "--label", "data-dir" if data_dir else "memory"],
            capture_output=True, text=True)
        r = result_line(p.stdout)
        if r is None:
            raise RuntimeError(f"loadgen: no result: {p.stdout} {p.stderr}")
        if tracer:
            tracer.send_signal(2)
            _, err = tracer.communicate(timeout=30)
            for line in err.splitlines():
                parts = line.split(",")
                if len(parts) > 2 and "sys_enter_f" in parts[2] and parts[0].isdigit():
                    r["fsyncs"] = r.get("fsyncs", 0) + int(parts[0])
        return r
    finally:
        if tracer and tracer.poll() is None:
            tracer.kill()
        proc.terminate()
        proc.wait()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loadgen")
    ap.add_argument("--emulator")
    ap.add_argument("--e2e", help="e2e-signins: measure complete sign-ins instead")
    ap.add_argument("--flow", choices=["srp", "password"], default="srp",
                    help="the sign-in flow with --e2e")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--dir", default=None, help="where the data directories are made")
    ap.add_argument("--count-fsyncs", action="store_true",
                    help="count fsyncs in the data-dir runs (needs perf and the permission to "
                         "read syscall tracepoints)")
    args = ap.parse_args()
    if args.e2e:
        return e2e_main(args)
    if not (args.loadgen and args.emulator):
        ap.error("--loadgen and --emulator are required without --e2e")
    ratios, cpu = [], []
    print("| round | memory req/s | data-dir req/s | ratio | memory CPU ms/req "
          "| data-dir CPU ms/req | InitiateAuth p50 ms (mem / dir) | sign-ins per fsync |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for i, m, d in paired_rounds(args.rounds, lambda on_disk: one_run(args, on_disk)):
        ratio = d["req_per_s"] / m["req_per_s"]
        ratios.append(ratio)
        cpu.append(d["server_cpu_ms_per_req"] / m["server_cpu_ms_per_req"])
        per_sync = "-"
        if d.get("fsyncs"):
            # Pairs in the measured window over fsyncs in the whole traced run (warm-up
            # included): a lower bound.
            per_sync = f"{d['pairs_per_s'] * args.seconds / d['fsyncs']:.1f}"
        print(f"| {i} | {m['req_per_s']:.0f} | {d['req_per_s']:.0f} | {ratio:.2f} "
              f"| {m['server_cpu_ms_per_req']:.3f} | {d['server_cpu_ms_per_req']:.3f} "
              f"| {m['initiate_auth_p50_ms']:.2f} / {d['initiate_auth_p50_ms']:.2f} "
              f"| {per_sync} |", flush=True)
    print_summary("requests/s", "request", ratios, cpu)
    print("RESULT " + json.dumps({"ratios": ratios, "cpu": cpu}))


if __name__ == "__main__":
    main()
