"""Times process start to first HTTP 200, reads idle RSS and idle CPU from /proc; prints a Markdown table."""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from hubclient import rss_kib


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid):
    """User + system CPU time of `pid` so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_to_first_200(command, env, url, idle_seconds):
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = started + 30
        while time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        elapsed = time.perf_counter() - started
                        break
            except OSError:
                time.sleep(0.002)
        else:
            raise RuntimeError(f"{command[0]} never answered 200")
        cpu_before = cpu_seconds(process.pid)
        time.sleep(idle_seconds)  # the idle period measured (RSS after it, CPU during it), not synchronisation
        idle_cpu = (cpu_seconds(process.pid) - cpu_before) / idle_seconds * 100
        return elapsed, rss_kib(process.pid), idle_cpu
    finally:
        process.terminate()
        process.wait(timeout=30)


def summarize(name, samples):
    times = [t for t, _, _ in samples]
    rss = [r for _, r, _ in samples]
    cpu = [c for _, _, c in samples]
    return (f"| {name} | {len(samples)} | {statistics.median(times) * 1000:.0f} | {max(times) * 1000:.0f} "
            f"| {statistics.median(rss) / 1024:.1f} | {max(rss) / 1024:.1f} | {statistics.median(cpu):.2f} | {max(cpu):.2f} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--idle", type=float, default=3.0)
    args = parser.parse_args()

    rows = []
    first, restart, baseline = [], [], []
    for _ in range(args.runs):
        data = tempfile.mkdtemp(prefix="berqenas-bench-")
        port = free_port()
        env = {**os.environ, "BERQENAS_DATA_DIR": data, "BERQENAS_PORT": str(port)}
        url = f"http://127.0.0.1:{port}/health"
        first.append(time_to_first_200([args.binary, "serve"], env, url, args.idle))
        restart.append(time_to_first_200([args.binary, "serve"], env, url, args.idle))
        shutil.rmtree(data)
        port = free_port()
        baseline.append(time_to_first_200(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", tempfile.gettempdir()],
            os.environ.copy(), f"http://127.0.0.1:{port}/", args.idle))

    rows.append(summarize("berqenas serve, first start (empty data dir: migrate, key, admin)", first))
    rows.append(summarize("berqenas serve, restart (existing data dir)", restart))
    rows.append(summarize("baseline: python3 -m http.server", baseline))
    print("| what | runs | start to first 200, median ms | max ms | idle RSS, median MiB | max MiB "
          "| idle CPU, median % of a core | max % |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
