#!/usr/bin/env python3
"""Router hardening figures (issue 10), whole-process on loopback.

1. Policy install: PUT /admin/policy with 1,000 / 10,000 / 20,000 rules on a running router, while a probe
   thread asks /healthz in a loop; prints the PUT's time and the longest /healthz answer meanwhile.
2. Unauthenticated memory: 1,000 connections at once, each sending headers with a wrong key and then a
   4 MiB body; prints the router's peak RSS (VmHWM) before and after.

    python3 bench/router/hardening-figures.py [--build build] [--runs 3] [--threads N] [--only install|memory]

Each figure is the median of --runs runs. Needs only Python 3 (standard library).
"""
import argparse
import asyncio
import hashlib
import http.client
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "bench-admin-token-0123456789"


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_router(build, work, extra=None):
    port = free_port()
    policy = json.load(open(os.path.join(ROOT, "resources/policies/default-policy.json")))
    policy["version"] = 1
    json.dump(policy, open(os.path.join(work, "policy.json"), "w"))
    config = {
        "listen": f"127.0.0.1:{port}",
        "policy_file": "policy.json",
        "ledger": "ledger.db",
        "admin_token_env": "BENCH_ADMIN_TOKEN",
        "providers": [
            {"name": "openai", "base_url": "http://127.0.0.1:9/v1"},
            {"name": "anthropic", "base_url": "http://127.0.0.1:9/v1"},
            {"name": "deepseek", "base_url": "http://127.0.0.1:9/v1"},
        ],
    }
    config.update(extra or {})
    json.dump(config, open(os.path.join(work, "config.json"), "w"))
    env = dict(os.environ, BENCH_ADMIN_TOKEN=TOKEN)
    proc = subprocess.Popen([os.path.join(build, "app/routeledger-router"), "--config",
                             os.path.join(work, "config.json")], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env)
    line = proc.stdout.readline().decode()
    if "listening" not in line:
        raise SystemExit("router did not start: " + line)
    return proc, port


def status_kb(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return -1


def big_policy(version, rules):
    policy = json.load(open(os.path.join(ROOT, "resources/policies/default-policy.json")))
    policy["version"] = version
    tiers = [t["name"] for t in policy["tiers"]]
    policy["rules"] = [{"id": f"r{i}", "when": {"all": [{"team": {"eq": f"team{i}"}},
                                                         {"complexity": {"lt": 0.5}}]},
                        "then": {"tier": tiers[i % len(tiers)]}} for i in range(rules)]
    return json.dumps(policy)


def install_figures(build, runs, threads):
    results = {}
    for rules in (1000, 10000, 20000):
        times, worst = [], []
        for run in range(runs):
            with tempfile.TemporaryDirectory() as work:
                proc, port = start_router(build, work, {"threads": threads})
                try:
                    body = big_policy(2, rules)
                    stop = threading.Event()
                    longest = [0.0]

                    def probe():
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                        while not stop.is_set():
                            t = time.perf_counter()
                            conn.request("GET", "/healthz")
                            conn.getresponse().read()
                            longest[0] = max(longest[0], time.perf_counter() - t)

                    thread = threading.Thread(target=probe)
                    thread.start()
                    time.sleep(0.2)  # the probe is running before the PUT starts
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                    t = time.perf_counter()
                    conn.request("PUT", "/admin/policy", body, {"Authorization": "Bearer " + TOKEN,
                                                                "If-Match": "*",
                                                                "Content-Type": "application/json"})
                    answer = conn.getresponse()
                    answer.read()
                    elapsed = time.perf_counter() - t
                    stop.set()
                    thread.join()
                    if answer.status != 200:
                        raise SystemExit(f"PUT of {rules} rules answered {answer.status}")
                    times.append(elapsed)
                    worst.append(longest[0])
                finally:
                    proc.terminate()
                    proc.wait()
        results[rules] = (statistics.median(times), statistics.median(worst))
        print(f"threads={threads or 'cores'} install {rules:>6} rules: PUT {results[rules][0] * 1000:8.1f} ms (median of {runs}), "
              f"longest /healthz meanwhile {results[rules][1] * 1000:6.1f} ms")
    return results


async def unauthenticated_client(port, body, results):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write((f"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      f"Authorization: Bearer sk-wrong\r\nContent-Length: {len(body)}\r\n\r\n").encode())
        try:
            writer.write(body)
            await asyncio.wait_for(writer.drain(), 10)
        except (ConnectionError, asyncio.TimeoutError):
            pass
        head = await asyncio.wait_for(reader.read(64), 10)
        results.append(head[:12])
        writer.close()
    except (ConnectionError, asyncio.TimeoutError, OSError) as e:
        results.append(repr(e).encode())


def memory_figures(build, runs, connections=1000, size=4 << 20):
    peaks, idles, answered = [], [], []
    body = b"[" + b"[]," * ((size - 3) // 3) + b"[]]"
    for run in range(runs):
        with tempfile.TemporaryDirectory() as work:
            proc, port = start_router(build, work, {
                "clients": [{"key_sha256": hashlib.sha256(b"sk-right").hexdigest(), "team": "legal"}],
                "max_body_bytes": 8 << 20})
            try:
                idles.append(status_kb(proc.pid, "VmHWM"))
                results = []

                async def main():
                    await asyncio.gather(*(unauthenticated_client(port, body, results)
                                           for _ in range(connections)))

                asyncio.run(main())
                peaks.append(status_kb(proc.pid, "VmHWM"))
                answered.append(sum(1 for r in results if r.startswith(b"HTTP/1.1 401")))
            finally:
                proc.terminate()
                proc.wait()
    print(f"{connections} unauthenticated connections x {size >> 20} MiB bodies: peak RSS "
          f"{statistics.median(peaks) / 1024:.1f} MB (idle {statistics.median(idles) / 1024:.1f} MB), "
          f"401s seen by the clients: {statistics.median(answered)} (median of {runs})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["install", "memory"])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=0, help="router worker threads (0: one per core)")
    args = parser.parse_args()
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.only in (None, "install"):
        install_figures(args.build, args.runs, args.threads)
    if args.only in (None, "memory"):
        memory_figures(args.build, args.runs, args.connections)


if __name__ == "__main__":
    main()
