#!/usr/bin/env python3
"""Two builds of affil compared on one folder, in alternating order (A B B A, then B A A B, ...),
so that the machine's drift during the runs falls on both alike.

    python3 benches/ab.py BUILD_A BUILD_B DATA_DIR [--rounds 8] [--env-a K=V] [--env-b K=V]

Each round runs `BUILD check DATA_DIR --out ...` twice per build and prints its wall time, CPU time
(user + system, of the process and its threads) and peak resident memory (VmRSS of
/proc/PID/status sampled every 5 ms: the same for every build, whatever its own meter does).
At the end: each build's mean and B's difference from A per round, with a 95% interval (t
distribution over the rounds). `--env-a MIMALLOC_PURGE_DELAY=1000` runs build A with that
variable set (one binary under two settings). Linux only (/proc).
"""
import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

# Two-sided 95% quantiles of Student's t by degrees of freedom (rounds - 1).
T95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26,
       10: 2.23, 11: 2.20, 12: 2.18, 13: 2.16, 14: 2.14, 15: 2.13, 19: 2.09, 24: 2.06, 29: 2.05}


def t95(df):
    return T95.get(df) or T95[max(k for k in T95 if k <= df)]


def run(cmd, env):
    """Wall s, CPU s and peak MiB of one run; exits when the run fails."""
    start = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_kib = 0
    status_file = f"/proc/{proc.pid}/status"
    while True:
        try:
            with open(status_file) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        peak_kib = max(peak_kib, int(line.split()[1]))
                        break
        except OSError:
            pass
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.005)
    wall = time.time() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(cmd)}: exit code {code}\n{proc.stderr.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime, peak_kib / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("data")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--env-a", action="append", default=[])
    ap.add_argument("--env-b", action="append", default=[])
    args = ap.parse_args()
    if args.rounds < 2:
        ap.error("--rounds must be 2 or more (an interval needs two rounds)")
    envs = {}
    for name, extra in (("A", args.env_a), ("B", args.env_b)):
        env = dict(os.environ)
        env.update(kv.split("=", 1) for kv in extra)
        envs[name] = env
    builds = {"A": args.a, "B": args.b}
    # results[build][metric] = list of per-round means
    results = {b: {"wall": [], "cpu": [], "peak": []} for b in builds}
    with tempfile.TemporaryDirectory() as out:
        print("round build   wall, s  CPU, s  peak, MiB")
        for r in range(args.rounds):
            order = "ABBA" if r % 2 == 0 else "BAAB"
            runs = {b: [] for b in builds}
            for b in order:
                cmd = [builds[b], "check", args.data, "--out", os.path.join(out, b)]
                wall, cpu, peak = run(cmd, envs[b])
                runs[b].append((wall, cpu, peak))
                print(f"{r + 1:5} {b:5} {wall:9.3f} {cpu:7.3f} {peak:10.1f}", flush=True)
            for b in builds:
                for i, metric in enumerate(("wall", "cpu", "peak")):
                    results[b][metric].append(statistics.mean(x[i] for x in runs[b]))
    print()
    print("metric   mean A    mean B    B - A   95% interval")
    for metric in ("wall", "cpu", "peak"):
        a, b = results["A"][metric], results["B"][metric]
        diffs = [y - x for x, y in zip(a, b)]
        mean = statistics.mean(diffs)
        half = t95(len(diffs) - 1) * statistics.stdev(diffs) / math.sqrt(len(diffs))
        print(f"{metric:6} {statistics.mean(a):8.3f}  {statistics.mean(b):8.3f}  {mean:+8.3f}"
              f"   [{mean - half:+.3f}, {mean + half:+.3f}]")


if __name__ == "__main__":
    main()
