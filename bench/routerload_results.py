#!/usr/bin/env python3
"""Writes bench/results.md (to stdout) from routerload's JSON reports of bench/routerload.sh.

Each report holds the engine run and, under "baseline", the routerecho run with the same load.
"""
import argparse
import json
import os
import platform
import subprocess
import sys

SCENARIOS = {
    "routerload-a.json": "(a) 1,000 agents, saturating closed loop (2,000 live)",
    "routerload-b.json": "(b) 15,000 agents, 115,000 live (100,000+ waiting)",
    "routerload-c.json": "(c) 50% of (a)'s rate, open loop",
}


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def commit():
    try:
        return subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def lat(report, kind, p):
    return report["latency_ms"][kind][p]


def ratio(a, b):
    return a / b if b else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, required=True)
    ap.add_argument("--rate-c", type=float, required=True)
    ap.add_argument("--redis-version", default="")
    ap.add_argument("reports", nargs="+")
    args = ap.parse_args()

    out = []
    w = out.append
    w("# End-to-end benchmark results")
    w("")
    w("Written by `bench/routerload.sh` (see bench/README.md, \"End to end\"). Do not edit by hand.")
    w("")
    w(f"- Machine: {os.cpu_count()} cores, {cpu_model()}; shared by routerload, redis-server "
      "and routerd (or routerecho).")
    w(f"- Commit {commit()}; Release build; {args.redis_version.strip()}.")
    w(f"- {args.customers:,} synthetic customers (`customergen`) imported into Redis; arrivals "
      "draw 90% known customers from the first 200,000, so every lookup goes to Redis or the "
      "cache.")
    w("- Each routerd run is preceded, in the same routerload process, by the same load against "
      "`routerecho` (bare gRPC, same services, messages and stream events, no engine, no Redis).")
    w("")
    w("| scenario | target | lifecycles/s | RPCs+events/s | submit ack p99 ms | "
      "submit→offer p50 / p99 / p99.9 ms | accept ack p99 ms | errors | unfinished |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    for path in args.reports:
        with open(path) as f:
            r = json.load(f)
        name = SCENARIOS.get(os.path.basename(path), os.path.basename(path))
        for label, rep in (("routerecho", r.get("baseline")), ("routerd", r)):
            if rep is None:
                continue
            errors = sum(e["count"] for e in rep["errors"])
            w(f"| {name} | {label} | {rep['lifecycles_per_s']:,.0f} | {rep['rpcs_per_s']:,.0f} | "
              f"{lat(rep, 'submit_ack', 'p99'):.2f} | "
              f"{lat(rep, 'submit_to_offer', 'p50'):.2f} / {lat(rep, 'submit_to_offer', 'p99'):.2f}"
              f" / {lat(rep, 'submit_to_offer', 'p99_9'):.2f} | "
              f"{lat(rep, 'accept_ack', 'p99'):.2f} | {errors} | {rep['counts']['unfinished']} |")
        rows.append((name, r))
    w("")
    w("## Against the targets (issue 5)")
    w("")
    for name, r in rows:
        base = r.get("baseline")
        if base is None:
            continue
        rate_ratio = ratio(r["lifecycles_per_s"], base["lifecycles_per_s"])
        p99_ratio = ratio(lat(r, "submit_to_offer", "p99"), lat(base, "submit_to_offer", "p99"))
        w(f"- {name}: {r['lifecycles_per_s']:,.0f} lifecycles/s = **{rate_ratio:.2f}×** echo "
          f"({base['lifecycles_per_s']:,.0f}/s); submit→offer p99 {lat(r, 'submit_to_offer', 'p99'):.2f} ms "
          f"= **{p99_ratio:.2f}×** echo's {lat(base, 'submit_to_offer', 'p99'):.2f} ms.")
    w("")
    w("Targets: ≥ 10,000 lifecycles/s and ≥ 0.5× echo (a); submit→offer p99 ≤ 2× echo at 50% "
      f"load (c, {args.rate_c:,.0f} arrivals/s). bench/README.md says which hold and where the "
      "limit is.")
    w("")
    w("## Commands")
    w("")
    w("```sh")
    w("bench/routerload.sh        # all of the above; the routerload command lines are in it")
    w("```")
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
