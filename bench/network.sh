#!/bin/sh
# Network costs, each against a baseline measured in the same run:
#   1. proxy throughput: a 256 MiB download through ww's proxy (socat bridge + host proxy, plain HTTP
#      and CONNECT) vs a direct loopback download and vs a plain socat TCP relay on the host;
#   2. added latency per connection: 200 sequential small HTTP requests through the proxy vs direct;
#   3. observe mode vs full: UDP ping-pong (unconnected sendto, sendmsg, connected) and a bulk TCP
#      upload, each under `ww --network full` and `ww --network observe`.
# Usage: bench/network.sh [path/to/ww]   (default .build/release/ww, else .build/debug/ww)
# Needs python3, curl, socat, cc. Run as a normal user (or as root with WW_BENCH_USER=name).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
ww=$(ww_binary "${1:-}")

tmp=$(mktemp -d /tmp/ww-net-bench.XXXXXX)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/www" "$tmp/game" "$tmp/home" "$tmp/bin"
cc -O2 -Wall -o "$tmp/game/netbench" "$here/bench/netbench.c"
cp "$ww" "$tmp/bin/ww"
cp -R "$here/profiles" "$tmp/profiles"
head -c $((256 * 1024 * 1024)) /dev/zero > "$tmp/www/big"
echo small > "$tmp/www/small"
chmod -R a+rX "$tmp"
bench_user network.sh
if [ -n "$as" ]; then chown -R "$uid:$gid" "$tmp/home"; fi
base=$((30000 + $$ % 20000))
http=$base; relay=$((base + 1)); udp=$((base + 2)); sink=$((base + 3))
python3 -m http.server "$http" --bind 127.0.0.1 --directory "$tmp/www" >/dev/null 2>&1 & pids="$pids $!"
socat "TCP4-LISTEN:$relay,bind=127.0.0.1,reuseaddr,fork" "TCP4:127.0.0.1:$http" & pids="$pids $!"
"$tmp/game/netbench" udp-echo "$udp" & pids="$pids $!"
"$tmp/game/netbench" tcp-sink "$sink" & pids="$pids $!"
sleep 0.5

wwrun() {   # wwrun NETWORK-ARGS... -- COMMAND...
    $as env -i HOME="$tmp/home" PATH=/usr/bin:/bin WW_PROFILE_PATH="$tmp/profiles" "$tmp/bin/ww" --quiet "$@"
}
speed() { awk '{ printf "%.0f", $1 / 1048576 }'; }
best() { sort -n | tail -1; }
low() { sort -n | head -1; }

echo "== 1. proxy throughput (256 MiB, best of 3, MiB/s)"
d=$(for i in 1 2 3; do curl -s -o /dev/null -w '%{speed_download}\n' "http://127.0.0.1:$http/big"; done | best | speed)
r=$(for i in 1 2 3; do curl -s -o /dev/null -w '%{speed_download}\n' "http://127.0.0.1:$relay/big"; done | best | speed)
p=$(for i in 1 2 3; do wwrun --network proxy --allow-domain localhost -- curl -s --noproxy '' -x http://127.0.0.1:3128 -o /dev/null -w '%{speed_download}\n' "http://localhost:$http/big"; done | best | speed)
c=$(for i in 1 2 3; do wwrun --network proxy --allow-domain localhost -- curl -s --noproxy '' -p -x http://127.0.0.1:3128 -o /dev/null -w '%{speed_download}\n' "http://localhost:$http/big"; done | best | speed)
echo "direct loopback            $d MiB/s"
echo "socat relay (baseline)     $r MiB/s"
echo "ww proxy, plain HTTP       $p MiB/s   ($(awk "BEGIN { printf \"%.0f\", 100 * $p / $r }") % of the socat relay)"
echo "ww proxy, CONNECT tunnel   $c MiB/s   ($(awk "BEGIN { printf \"%.0f\", 100 * $c / $r }") % of the socat relay)"

echo "== 2. latency per connection (200 sequential requests, mean per request)"
cat > "$tmp/game/latency.py" <<'PY'
import http.client, sys, time
host, port, proxy = sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else ""
best = 1e9
for _ in range(3):
    t = time.perf_counter()
    for i in range(200):
        if proxy:
            c = http.client.HTTPConnection("127.0.0.1", 3128); c.request("GET", f"http://{host}:{port}/small")
        else:
            c = http.client.HTTPConnection(host, port); c.request("GET", "/small")
        c.getresponse().read(); c.close()
    best = min(best, (time.perf_counter() - t) / 200)
print(f"{best * 1e6:.0f}")
PY
chmod a+r "$tmp/game/latency.py"
ld=$(python3 "$tmp/game/latency.py" 127.0.0.1 "$http")
lp=$(wwrun --network proxy --allow-domain localhost --ro "$tmp/game" -- python3 "$tmp/game/latency.py" localhost "$http" proxy)
echo "direct                     $ld us"
echo "through ww's proxy         $lp us   (+$((lp - ld)) us per connection)"

echo "== 3. observe vs full"
for mode in sendto sendmsg connected; do
    f=$(for i in 1 2 3; do wwrun --network full -- "$tmp/game/netbench" udp-pingpong "$udp" 20000 "$mode" | awk '{print $2}'; done | low)
    o=$(for i in 1 2 3; do wwrun --network observe -- "$tmp/game/netbench" udp-pingpong "$udp" 20000 "$mode" | awk '{print $2}'; done | low)
    echo "UDP round trip, $mode: full $f us, observe $o us   ($(awk "BEGIN { printf \"%+.1f\", 100 * ($o - $f) / $f }") %)"
done
f=$(for i in 1 2 3; do wwrun --network full -- "$tmp/game/netbench" tcp-bulk "$sink" 2048 | awk '{print $2}'; done | best)
o=$(for i in 1 2 3; do wwrun --network observe -- "$tmp/game/netbench" tcp-bulk "$sink" 2048 | awk '{print $2}'; done | best)
echo "TCP upload 2 GiB: full $f MB/s, observe $o MB/s   ($(awk "BEGIN { printf \"%+.1f\", 100 * ($o - $f) / $f }") %)"

# 4. The other way observe mode could work: the game in a network namespace of its own that pasta
#    (Debian package passt) connects to your network, with the traffic watched there. Same programs,
#    no ww (pasta alone: this is the cost before any watching), against the same baseline.
echo "== 4. the alternative: pasta network namespace vs full"
if ! command -v pasta >/dev/null 2>&1; then
    echo "skipped: pasta is not installed (apt install passt)"
elif ! $as sh -c 'exec 3<>/dev/net/tun' 2>/dev/null; then
    echo "skipped: the bench user cannot open /dev/net/tun (mode $(stat -c %a /dev/net/tun) here; desktop distributions make it 0666)"
else
    inpasta() { $as env -i HOME="$tmp/home" PATH=/usr/bin:/bin pasta -q --config-net -- "$@" </dev/null 2>/dev/null; }
    for mode in sendto connected; do
        f=$(for i in 1 2 3; do wwrun --network full -- "$tmp/game/netbench" udp-pingpong "$udp" 20000 "$mode" | awk '{print $2}'; done | low)
        p=$(for i in 1 2 3; do inpasta "$tmp/game/netbench" udp-pingpong "$udp" 20000 "$mode" | awk '{print $2}'; done | low)
        echo "UDP round trip, $mode: full $f us, pasta $p us   ($(awk "BEGIN { printf \"%+.1f\", 100 * ($p - $f) / $f }") %)"
    done
    f=$(for i in 1 2 3; do wwrun --network full -- "$tmp/game/netbench" tcp-bulk "$sink" 2048 | awk '{print $2}'; done | best)
    p=$(for i in 1 2 3; do inpasta "$tmp/game/netbench" tcp-bulk "$sink" 2048 | awk '{print $2}'; done | best)
    echo "TCP upload 2 GiB: full $f MB/s, pasta $p MB/s   ($(awk "BEGIN { printf \"%+.1f\", 100 * ($p - $f) / $f }") %)"
fi
