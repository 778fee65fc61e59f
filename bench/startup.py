"""Times process start to first HTTP 200 and reads idle RSS from /proc; prints a Markdown table."""
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


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


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
        time.sleep(idle_seconds)  # idle period before reading RSS (a measurement, not synchronisation)
        return elapsed, rss_kib(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def summarize(name, samples):
    times = [t for t, _ in samples]
    rss = [r for _, r in samples]
    return (f"| {name} | {len(samples)} | {statistics.median(times) * 1000:.0f} | {max(times) * 1000:.0f} "
            f"| {statistics.median(rss) / 1024:.1f} | {max(rss) / 1024:.1f} |")


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
    print("| what | runs | start to first 200, median ms | max ms | idle RSS, median MiB | max MiB |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
