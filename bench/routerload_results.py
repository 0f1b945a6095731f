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
    "a": "(a) 1,000 agents, saturating closed loop (2,000 live)",
    "b": "(b) 15,000 agents, 115,000 live (100,000+ waiting)",
    "c": "(c) 50% of (a)'s rate, open loop",
}
APIS = {"unary": "unary", "stream": "stream", "link": "stream, agent links"}


def scenario_of(path):
    """("a", "stream") from ".../routerload-a-stream.json"."""
    base = os.path.basename(path)[: -len(".json")]
    parts = base.split("-")
    return parts[1], parts[2] if len(parts) > 2 else "unary"


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


def server_cols(rep):
    srv = rep.get("server")
    if not srv:
        return "–", "–"
    return (f"{srv['cpu_us_per_lifecycle']:,.0f}", f"{srv['rss_per_agent_bytes'] / 1024:,.1f}")


def verdict(ok):
    return "**met**" if ok else "**not met**"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, required=True)
    ap.add_argument("--rate-c-unary", type=float, required=True)
    ap.add_argument("--rate-c-stream", type=float, required=True)
    ap.add_argument("--links-b", type=int, default=16)
    ap.add_argument("--redis-version", default="")
    ap.add_argument("reports", nargs="+")
    args = ap.parse_args()

    reports = {}
    for path in args.reports:
        try:
            with open(path) as f:
                reports[scenario_of(path)] = json.load(f)
        except (OSError, ValueError) as e:
            print(f"routerload_results: {path}: {e}", file=sys.stderr)

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
    w("- Each routerd run is preceded, in the same routerload process, by the same load over the "
      "same API against `routerecho` (bare gRPC, same services, streams, messages and stream "
      "events, no engine, no Redis). routerd is restarted for every run.")
    w("- API *unary*: a unary RPC per request and StreamWork per agent. *stream*: a GatewayStream "
      "per gateway and an AgentSession per agent. *stream, agent links*: the agents on "
      f"{args.links_b} AgentLink streams.")
    w("- CPU µs/lifecycle: the server's utime+stime over the measuring window ÷ lifecycles in it. "
      "RSS/agent: the server's VmRSS with every agent logged in minus before they connected, "
      "÷ agents (routerload --server-pid).")
    w("")
    w("| scenario | API | target | lifecycles/s | RPCs+events/s | submit ack p99 ms | "
      "submit→offer p50 / p99 / p99.9 ms | accept ack p99 ms | CPU µs/lifecycle | "
      "RSS KiB/agent | errors | unfinished |")
    w("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (scen, api), r in sorted(reports.items(), key=lambda kv: (kv[0][0], list(APIS).index(kv[0][1]) if kv[0][1] in APIS else 9)):
        name = SCENARIOS.get(scen, scen)
        for label, rep in (("routerecho", r.get("baseline")), ("routerd", r)):
            if rep is None:
                continue
            errors = sum(e["count"] for e in rep["errors"])
            cpu, rss = server_cols(rep)
            w(f"| {name} | {APIS.get(api, api)} | {label} | {rep['lifecycles_per_s']:,.0f} | "
              f"{rep['rpcs_per_s']:,.0f} | {lat(rep, 'submit_ack', 'p99'):.2f} | "
              f"{lat(rep, 'submit_to_offer', 'p50'):.2f} / {lat(rep, 'submit_to_offer', 'p99'):.2f}"
              f" / {lat(rep, 'submit_to_offer', 'p99_9'):.2f} | "
              f"{lat(rep, 'accept_ack', 'p99'):.2f} | {cpu} | {rss} | {errors} | "
              f"{rep['counts']['unfinished']} |")
    w("")
    w("## Against the targets (issue 15)")
    w("")
    a = reports.get(("a", "stream"))
    if a and a.get("baseline"):
        rate, base = a["lifecycles_per_s"], a["baseline"]["lifecycles_per_s"]
        rr = ratio(rate, base)
        w(f"- (a) over the streams: {rate:,.0f} lifecycles/s (target ≥ 10,000: "
          f"{verdict(rate >= 10000)}) = **{rr:.2f}×** the streaming echo's {base:,.0f}/s "
          f"(target ≥ 0.5×: {verdict(rr >= 0.5)}).")
    for api in ("stream", "link"):
        b = reports.get(("b", api))
        if b and b.get("baseline"):
            rr = ratio(b["lifecycles_per_s"], b["baseline"]["lifecycles_per_s"])
            w(f"- (b), API {APIS[api]}: {b['lifecycles_per_s']:,.0f} lifecycles/s = "
              f"**{rr:.2f}×** echo's {b['baseline']['lifecycles_per_s']:,.0f}/s "
              f"(target ≥ 0.5×: {verdict(rr >= 0.5)}).")
    c = reports.get(("c", "stream"))
    if c and c.get("baseline"):
        mine, theirs = lat(c, "submit_to_offer", "p99"), lat(c["baseline"], "submit_to_offer", "p99")
        rr = ratio(mine, theirs)
        w(f"- (c) over the streams at {args.rate_c_stream:,.0f} arrivals/s: submit→offer p99 "
          f"{mine:.2f} ms = **{rr:.2f}×** echo's {theirs:.2f} ms (target ≤ 2×: "
          f"{verdict(rr <= 2)}).")
    for (scen, api), r in sorted(reports.items()):
        srv = r.get("server")
        if srv:
            w(f"- ({scen}, {APIS.get(api, api)}) routerd: {srv['cpu_us_per_lifecycle']:,.0f} CPU µs "
              f"per lifecycle; {srv['rss_per_agent_bytes'] / 1024:,.1f} KiB RSS per connected agent "
              f"({srv['agents']:,} agents).")
    w("")
    w("The unary rows are kept for comparison (their targets were issue 5's: (a) ≥ 0.5× echo, "
      f"(c) p99 ≤ 2× echo at {args.rate_c_unary:,.0f} arrivals/s). Ratios against each API's own "
      "echo. bench/README.md says which targets hold and where the limit is.")
    w("")
    w("## Commands")
    w("")
    w("```sh")
    w("bench/routerload.sh        # all of the above; the routerload command lines are in it")
    w("```")
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
