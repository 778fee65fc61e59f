"""Many realtime subscribers on one hub: latency from commit to every client, memory per idle connection.

Each event is an `api.changed` raised by a REST call (an API refresh); its latency at a client is the
client's receive time minus the moment that request was sent, so the request's own work is counted too (an
upper bound of commit-to-client). One event at a time: the next is raised when every client has the last.
The baseline is a Python `websockets` server broadcasting a message to the same number of clients, timed
from the broadcast call.
"""
import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))
from conftest import Hub, free_port  # noqa: E402


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def call(url, method="GET", body=None, token=None):
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **({"Authorization": "Bearer " + token} if token else {})})
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def hub_run(url, token, clients, events, pid):
    base_rss = rss_kib(pid)
    sockets = []
    for _ in range(clients):
        ws = await websockets.connect(url.replace("http://", "ws://") + "/api/v1/realtime", max_queue=None, ping_interval=None)
        await ws.send(json.dumps({"action": "auth", "token": token}))
        assert json.loads(await ws.recv())["type"] == "authenticated"
        await ws.send(json.dumps({"action": "subscribe", "topic": "tenant:bench"}))
        assert json.loads(await ws.recv())["type"] == "subscribed"
        sockets.append(ws)
    await asyncio.sleep(3)  # settle before reading memory (a measurement pause, not synchronisation)
    per_connection = (rss_kib(pid) - base_rss) / clients
    latencies = []
    loop = asyncio.get_running_loop()

    async def receive(ws, started):
        while True:
            message = json.loads(await ws.recv())
            if message.get("type") == "event":
                latencies.append((time.time() - started) * 1000)
                return

    for index in range(events):
        started = time.time()
        readers = [asyncio.create_task(receive(ws, started)) for ws in sockets]
        # The request that raises the event: its own work (an API refresh) is inside the measured time.
        await loop.run_in_executor(None, lambda i=index: call(url + f"/api/v1/tenants/bench/apis/api{i % 2}/refresh", "POST", {}, token))
        await asyncio.gather(*readers)
    for ws in sockets:
        await ws.close()
    return latencies, per_connection


async def baseline_run(clients, events):
    peers = set()
    port = free_port()

    async def handler(ws):
        peers.add(ws)
        try:
            await ws.wait_closed()
        finally:
            peers.discard(ws)

    server = await websockets.serve(handler, "127.0.0.1", port)
    sockets = [await websockets.connect(f"ws://127.0.0.1:{port}", max_queue=None, ping_interval=None) for _ in range(clients)]
    while len(peers) < clients:
        await asyncio.sleep(0.01)
    latencies = []

    async def receive(ws, started):
        await ws.recv()
        latencies.append((time.time() - started) * 1000)

    for _ in range(events):
        started = time.time()
        readers = [asyncio.create_task(receive(ws, started)) for ws in sockets]
        websockets.broadcast(peers, json.dumps({"pad": "x" * 300}))
        await asyncio.gather(*readers)
    for ws in sockets:
        await ws.close()
    server.close()
    return latencies


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--events", type=int, default=50)
    args = parser.parse_args()
    os.environ["BERQENAS_BIN"] = args.binary
    import conftest
    conftest.BINARY = args.binary
    work = Path(tempfile.mkdtemp(prefix="berqenas-realtime-"))
    hub = Hub(work / "data", free_port())
    hub.start()
    try:
        password = (hub.data_dir / "initial-admin-password").read_text().strip()
        token = call(hub.url + "/api/v1/auth/login", "POST", {"username": "admin", "password": password})["access_token"]
        call(hub.url + "/api/v1/tenants", "POST", {"name": "bench"}, token)
        for name in ("api0", "api1"):
            call(hub.url + "/api/v1/tenants/bench/apis", "POST",
                 {"name": name, "source": {"kind": "tenant_store"}, "tables": ["*"], "auth": "api_key"}, token)
        latencies, per_connection = asyncio.run(hub_run(hub.url, token, args.clients, args.events, hub.process.pid))
    finally:
        hub.stop()
    baseline = asyncio.run(baseline_run(args.clients, args.events))
    print(f"clients={args.clients} events={args.events} deliveries={len(latencies)}")
    print(f"berqenas: p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
          f"max {max(latencies):.1f} ms; {per_connection:.1f} KiB per idle subscribed connection")
    print(f"baseline (python websockets broadcast): p50 {statistics.median(baseline):.1f} ms, p99 {percentile(baseline, 0.99):.1f} ms")


if __name__ == "__main__":
    main()
