#!/usr/bin/env python3
"""The README's scaling table: `refleqt attribute` on one event log, time per stage (best of N
runs) and peak memory, with one thread and with two (`REFLEQT_THREADS`), without and with 200
bootstrap replicates; the number of distinct paths (rows of the simulator's path table) and the
Markov chain's states at orders 1-4.

Usage: REFLEQT=target/release/refleqt python3 scaling.py EVENTS.csv PATHS.csv [N]
"""
import json, os, re, subprocess, sys
B = os.environ.get("REFLEQT", "refleqt")

def run(args, env=None):
    e = dict(os.environ, **(env or {}))
    p = subprocess.run(["/usr/bin/time", "-f", "WALL %e USER %U SYS %S RSS %M"] + [B] + args,
                       capture_output=True, text=True, env=e)
    stages = {}
    for line in p.stderr.splitlines():
        m = re.match(r"timing: (.+?)\s+([\d.]+) ms(?:\s+peak memory so far\s+([\d.]+) MB)?", line)
        if m:
            stages[m.group(1).strip()] = (float(m.group(2)), float(m.group(3) or 0))
        m = re.match(r"WALL ([\d.]+) USER ([\d.]+) SYS ([\d.]+) RSS (\d+)", line)
        if m:
            stages["wall"] = float(m.group(1)); stages["cpu"] = float(m.group(2)) + float(m.group(3))
            stages["rss_mb"] = int(m.group(4)) / 1024
    return stages, p.stdout

def best(args, n, env=None):
    runs = [run(args, env)[0] for _ in range(n)]
    return min(runs, key=lambda r: r["wall"])

f, paths = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 3
size = os.path.getsize(f) / 2**20
print(f"file {f}: {size:.1f} MB, distinct paths {sum(1 for _ in open(paths)) - 1}")
for t in ["1", "2"]:
    r = best([ "attribute", f, "--bootstrap", "0", "--timings"], n, {"REFLEQT_THREADS": t})
    print(f"threads {t} no intervals:", json.dumps(r))
    r = best([ "attribute", f, "--timings"], max(1, n - 1), {"REFLEQT_THREADS": t})
    print(f"threads {t} 200 replicates:", json.dumps(r))
for k in [1, 2, 3, 4]:
    _, out = run(["attribute", f, "--bootstrap", "0", "--model", "markov", "--markov-order", str(k)])
    try:
        doc = json.loads(out)
        s = re.findall(r'"transient_states":\s*(\d+)', out)
        print(f"markov order {k}: states {s[:1]}")
    except Exception as e:
        print(f"markov order {k}: {out[:200]} {e}")
