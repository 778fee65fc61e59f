"""Driver of bench/vpn_peers.sh: runs inside the hub's namespace, talks to it on loopback."""
import argparse
import concurrent.futures
import http.client
import json
import os
import statistics
import subprocess
import threading
import time
import urllib.parse


class Client:
    """One keep-alive HTTP connection per thread."""
    local = threading.local()

    def __init__(self, url):
        self.url = urllib.parse.urlparse(url)
        self.token = None

    def call(self, method, path, body=None):
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=60)
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        try:
            connection.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            self.local.connection = None
            raise
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data) if data else None


def wait_healthy(client):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            client.call("GET", "/health")
            return
        except (OSError, RuntimeError, http.client.HTTPException):
            time.sleep(0.1)  # the hub is starting; bounded by the deadline
    raise SystemExit("the hub did not start")


def add_peer(client, name):
    started = time.perf_counter()
    client.call("POST", "/api/v1/tenants/bench/vpn/peers", {"name": name})
    return (time.perf_counter() - started) * 1000


def timings(values):
    ordered = sorted(values)
    return {"median": statistics.median(ordered), "p95": ordered[max(0, int(len(ordered) * 0.95) - 1)], "max": ordered[-1]}


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hub", required=True)
    parser.add_argument("--hub-pid", type=int, required=True)
    parser.add_argument("--peers", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--one-more", type=int, default=30)
    args = parser.parse_args()

    client = Client(args.hub)
    wait_healthy(client)
    client.token = client.call("POST", "/api/v1/auth/login", {"username": "admin", "password": "bench-password"})["access_token"]
    client.call("POST", "/api/v1/tenants", {"name": "bench"})
    vpn = client.call("PUT", "/api/v1/tenants/bench/vpn", {"enabled": True})
    interface = vpn["interface"]
    print(f"network {vpn['network']} on {interface} ({vpn['backend']})", flush=True)

    # Baseline 1: adding a peer to an empty network (these count towards the total).
    empty = [add_peer(client, f"first-{i}") for i in range(args.one_more)]

    remaining = args.peers - args.one_more
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
        bulk = list(pool.map(lambda i: add_peer(client, f"site-{i}"), range(remaining)))
    provision_seconds = time.perf_counter() - started + sum(empty) / 1000
    listed = subprocess.run(["wg", "show", interface, "peers"], capture_output=True, text=True, check=True).stdout.split()
    assert len(listed) == args.peers, f"wg show lists {len(listed)} peers, expected {args.peers}"

    # At that size: one more peer at a time, as an operator would add a site.
    full = [add_peer(client, f"late-{i}") for i in range(args.one_more)]
    after = subprocess.run(["wg", "show", interface, "peers"], capture_output=True, text=True, check=True).stdout.split()
    assert len(after) == args.peers + args.one_more

    # Baseline 2: a bare `wg set` of one peer on the full interface (what the hub's add runs once).
    key = subprocess.run(["wg", "genkey"], capture_output=True, text=True, check=True).stdout
    public = subprocess.run(["wg", "pubkey"], input=key, capture_output=True, text=True, check=True).stdout.strip()
    bare = []
    for i in range(args.one_more):
        started = time.perf_counter()
        subprocess.run(["wg", "set", interface, "peer", public, "allowed-ips", f"198.19.63.{200 + i % 50}/32"], check=True)
        bare.append((time.perf_counter() - started) * 1000)
    subprocess.run(["wg", "set", interface, "peer", public, "remove"], check=True)

    # What the hub costs at rest with that many peers (its 5 s reconcile and status passes).
    before = cpu_seconds(args.hub_pid)
    time.sleep(int(os.environ.get("IDLE_SECONDS", "30")))  # measuring CPU use over a fixed window, not synchronising
    idle_cpu = (cpu_seconds(args.hub_pid) - before) / int(os.environ.get("IDLE_SECONDS", "30")) * 100
    rss = int(next(line.split()[1] for line in open(f"/proc/{args.hub_pid}/status") if line.startswith("VmRSS"))) / 1024

    result = {
        "peers": args.peers, "workers": args.workers,
        "provision_seconds": round(provision_seconds, 1), "peers_per_second": round(args.peers / provision_seconds, 1),
        "bulk_add_ms": {k: round(v, 1) for k, v in timings(bulk).items()},
        "wg_show_peers": len(listed),
        "add_one_at_empty_ms": {k: round(v, 1) for k, v in timings(empty).items()},
        "add_one_at_full_ms": {k: round(v, 1) for k, v in timings(full).items()},
        "bare_wg_set_at_full_ms": {k: round(v, 1) for k, v in timings(bare).items()},
        "idle_cpu_percent_at_full": round(idle_cpu, 1), "rss_mib_at_full": round(rss, 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
