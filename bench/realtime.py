"""Many realtime subscribers on one hub: latency of each event to every client, memory per idle connection.

The clients are `berqenas-bench realtime` (Swift, WebSocketKit on SwiftNIO, one process): each event is an
event raised by a REST call, timed to its arrival at each client twice: from the event's `occurred_at` (the
hub's clock, read when it records the event, just before the commit: the issue's "from its commit", with
the insert and the commit counted too), and from the moment the raising request is sent (so the request's
own work is counted as well, an upper bound): `tenant.suspended` and
`tenant.reactivated` by a tenant's status going back and forth (a small write), and, as a second figure,
`api.changed` by an API refresh (which reads the API's tables again before it commits). One
event at a time: the next is raised when every client has the last. Memory: the hub's RSS once the clients
are subscribed and idle, minus before, per connection. The baseline, in the same run with the same clients,
is `berqenas-bench broadcast-server`: the same stack (Vapor, WebSocketKit, SwiftNIO) answering the same
messages and broadcasting a message of the same size, without the event log, auth or scoping.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))
from conftest import Hub, free_port  # noqa: E402
from hubclient import admin_token, call, rss_kib  # noqa: E402


def heap_in_use_kib(pid, log_path):
    """The process's heap bytes in use (glibc's malloc_stats, printed to its stderr through gdb), in KiB: what
    it holds, unlike RSS, which keeps the high-water mark of memory freed since."""
    before = log_path.read_text(errors="replace") if log_path.exists() else ""
    subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "call (void) malloc_stats()"], capture_output=True, check=True)
    deadline = time.monotonic() + 10
    while True:
        text = log_path.read_text(errors="replace")[len(before):]
        if "Total (incl. mmap):" in text and text.rstrip().splitlines()[-1].startswith("max mmap bytes"):
            break
        assert time.monotonic() < deadline, "no malloc_stats output"
        time.sleep(0.05)  # waiting for the process to flush its stderr, bounded by the deadline
    total = text[text.rindex("Total (incl. mmap):"):]
    return int(total.split("in use bytes")[1].split("=")[1].split()[0]) / 1024


def clients_run(bench, socket, token, trigger, clients, events, pid, log_path, method="POST", bodies=("{}",)):
    """Runs the Swift clients; returns their figures and the server's memory per connection (RSS, heap in use)."""
    process = subprocess.Popen([bench, "realtime", "--socket", socket, "--token", token, "--trigger", trigger,
                                "--method", method, "--bodies", json.dumps([json.loads(b) for b in bodies]),
                                "--clients", str(clients), "--events", str(events)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    before = rss_kib(pid)
    heap_before = heap_in_use_kib(pid, log_path)
    assert process.stdout.readline().strip() == "connected"
    time.sleep(3)  # a measurement pause: the connections settle before the server's memory is read
    per_connection = ((rss_kib(pid) - before) / clients, (heap_in_use_kib(pid, log_path) - heap_before) / clients)
    process.stdin.write("go\n")
    process.stdin.flush()
    figures = json.loads(process.stdout.readline())
    assert process.wait(timeout=120) == 0
    return figures, per_connection


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--bench", required=True)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--events", type=int, default=50)
    args = parser.parse_args()
    import conftest
    conftest.BINARY = args.binary
    work = Path(tempfile.mkdtemp(prefix="berqenas-realtime-"))
    hub = Hub(work / "data", free_port())
    hub.start()
    try:
        token = admin_token(hub)
        call(hub.url + "/api/v1/tenants", "POST", {"name": "bench"}, token)
        call(hub.url + "/api/v1/tenants/bench/apis", "POST",
             {"name": "api0", "source": {"kind": "tenant_store"}, "tables": ["*"], "auth": "api_key"}, token)
        socket = hub.url.replace("http://", "ws://") + "/api/v1/realtime"
        hub_figures, hub_memory = clients_run(
            args.bench, socket, token, hub.url + "/api/v1/tenants/bench", args.clients, args.events, hub.process.pid,
            hub.log_path, method="PATCH", bodies=('{"status":"suspended"}', '{"status":"active"}'))
        # An odd number of status events leaves the tenant suspended, where an API refresh is refused.
        call(hub.url + "/api/v1/tenants/bench", "PATCH", {"status": "active"}, token)
        refresh_figures, _ = clients_run(
            args.bench, socket, token, hub.url + "/api/v1/tenants/bench/apis/api0/refresh", args.clients, args.events,
            hub.process.pid, hub.log_path)
        hub_rss = rss_kib(hub.process.pid)
    finally:
        hub.stop()
    port = free_port()
    server_log = work / "broadcast.log"
    server = subprocess.Popen([args.bench, "broadcast-server", "--port", str(port)], stderr=open(server_log, "ab"))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/broadcast", method="POST"), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the broadcast server did not start"
                time.sleep(0.05)  # polling for readiness, bounded by the deadline
        base_figures, base_memory = clients_run(
            args.bench, f"ws://127.0.0.1:{port}/api/v1/realtime", "none", f"http://127.0.0.1:{port}/broadcast",
            args.clients, args.events, server.pid, server_log)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"clients={args.clients} events={args.events} deliveries={hub_figures['deliveries']} (hub RSS after: {hub_rss} KiB)")
    for name, figures, memory in [("berqenas, tenant status events", hub_figures, hub_memory),
                                  ("berqenas, API refresh events", refresh_figures, hub_memory),
                                  ("baseline (Vapor broadcast)", base_figures, base_memory)]:
        print(f"{name}: from the request p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms, max {figures['max']:.1f} ms; "
              f"from occurred_at p50 {figures['recorded_p50']:.1f} ms, p99 {figures['recorded_p99']:.1f} ms, "
              f"max {figures['recorded_max']:.1f} ms; "
              f"per idle subscribed connection: {memory[0]:.1f} KiB of RSS, {memory[1]:.1f} KiB of heap in use")
        slowest = "; ".join(f"{first:.1f} / {median:.1f} / {last:.1f}" for first, median, last in figures["slowest_events"])
        print(f"  slowest events from occurred_at, first / median / last arrival (ms): {slowest}")


if __name__ == "__main__":
    main()
