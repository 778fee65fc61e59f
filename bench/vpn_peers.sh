#!/usr/bin/env bash
# VPN benchmark (issue 5): provision PEERS peers (default 10,000) on one tenant through the API against a
# hub applying them for real (wireguard-go) inside a network namespace of its own, check `wg show` lists
# them all, then time adding one more peer at that size. Baselines in the same run: adding a peer to an
# empty network, and a bare `wg set` of one peer on the full interface. Needs root and /dev/net/tun.
#   bench/vpn_peers.sh   (PEERS=10000 WORKERS=8 ONE_MORE=30 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product berqenas >/dev/null
binary="$(swift build -c release --show-bin-path)/berqenas"
ns="bq-bench-$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')"
work=$(mktemp -d /tmp/berqenas-vpn-bench.XXXXXX)
cleanup() {
  [[ -n ${hub_pid:-} ]] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null || true
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  ip netns delete "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
port=18080
# Pool 198.19.0.0/16 in /18s: one tenant network holds 16,381 peers. Nothing leaves the namespace.
ip netns exec "$ns" env BERQENAS_DATA_DIR="$work/hub" BERQENAS_PORT=$port BERQENAS_ADMIN_PASSWORD=bench-password \
  BERQENAS_ACCESS_TOKEN_TTL=86400 BERQENAS_VPN_BACKEND=wireguard-go BERQENAS_VPN_POOL=198.19.0.0/16 \
  BERQENAS_VPN_TENANT_PREFIX=18 BERQENAS_VPN_PORTS=51840-51849 BERQENAS_PUBLIC_ENDPOINT=198.18.0.2 \
  "$binary" serve > "$work/hub.log" 2>&1 &
hub_pid=$!
ip netns exec "$ns" python3 bench/vpn_peers.py --hub "http://127.0.0.1:$port" --hub-pid "$hub_pid" \
  --peers "${PEERS:-10000}" --workers "${WORKERS:-8}" --one-more "${ONE_MORE:-30}"
