#!/bin/sh
# ww monitor and the live feed, measured in one run:
#  1. the supervisor's memory (VmRSS, and its anonymous part) for `ww -- sleep`, against bare bwrap
#     running the same sleep: alone, then with the live feed serving a connected `ww monitor`;
#  2. ww monitor's CPU (share of one core, from /proc/PID/stat) with one session running and
#     nothing happening (it still redraws the uptime each second), then at 1,000 events/s: a
#     stand-in supervisor (Python) serves a feed socket with lines of a real trail at that rate.
# Usage: bench/monitor.sh [path/to/ww]   (default .build/release/ww; needs tmux)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
ww=$(ww_binary "${1:-}")
seconds=${SECONDS_MEASURED:-10}
command -v tmux >/dev/null || { echo "monitor.sh: needs tmux (make deps)" >&2; exit 1; }
work=$(mktemp -d /tmp/ww-bench-monitor.XXXXXX)
export HOME="$work/home" XDG_RUNTIME_DIR="$work/run" WW_PROFILE_PATH="$here/profiles" LANG=C.UTF-8 TERM=screen
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
sock="ww-bench-$$"
game=""; fake=""; bare=""
cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null || true
    for p in $game $fake $bare; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
cpu() { a=$(ticks "$1"); sleep "$seconds"; b=$(ticks "$1"); python3 -c "print(f'{($b - $a) / $hz / $seconds * 100:.1f}')"; }
kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
# Pss: shared pages divided among the processes mapping them (the monitor is ww too).
pss() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/smaps_rollup"; }
mib() { python3 -c "print(f'{$1 / 1024:.1f}')"; }
monitor_pid() { pgrep -n -f "^$ww monitor" || true; }

# 1. Supervisor memory.
"$ww" --quiet -- /bin/sleep 120 &
game=$!
sleep 3
alone=$(kb "$game" VmRSS); alone_anon=$(kb "$game" RssAnon); alone_file=$(kb "$game" RssFile)
bwrap --unshare-all --die-with-parent --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc --dev /dev -- /usr/bin/sleep 120 &
bare=$!
sleep 1
bare_rss=$(kb "$bare" VmRSS)
tmux -L "$sock" new-session -d -s m -x 120 -y 40 "$ww monitor"
sleep 3
mon=$(monitor_pid)
[ -n "$mon" ] || { echo "monitor.sh: ww monitor did not start" >&2; exit 1; }
with=$(kb "$game" VmRSS); with_anon=$(kb "$game" RssAnon); with_file=$(kb "$game" RssFile); with_pss=$(pss "$game" Pss); with_private=$(pss "$game" Private_Dirty)
echo "supervisor (ww -- sleep), no monitor: VmRSS $(mib "$alone") MiB = anonymous $(mib "$alone_anon") + file-backed $(mib "$alone_file") (the binary's pages)"
echo "supervisor with the feed serving a monitor: VmRSS $(mib "$with") MiB (anonymous $(mib "$with_anon"), file-backed $(mib "$with_file")); Pss $(mib "$with_pss") MiB, private dirty $(mib "$with_private") MiB"
echo "bare bwrap running the same sleep: VmRSS $(mib "$bare_rss") MiB; ratio supervisor/bwrap $(python3 -c "print(f'{$with / $bare_rss:.1f}')")x (target: supervisor <= 10 MiB)"

# 2a. Monitor CPU, one session running, nothing happening.
idle=$(cpu "$mon")
echo "ww monitor idle (1 session running, uptime redrawn each second): $idle % of a core over $seconds s (target < 5 %); VmRSS $(mib "$(kb "$mon" VmRSS)") MiB"
tmux -L "$sock" kill-server
kill "$game" 2>/dev/null || true; wait "$game" 2>/dev/null || true; game=""

# 2b. 1,000 events/s from a stand-in feed (lines of the trail just written, timestamps renewed).
trail=$(ls "$HOME"/.local/state/winewarden/logs/*.jsonl | head -n 1)
python3 - "$XDG_RUNTIME_DIR/winewarden/00000000be0cbe0c" "$trail" <<'PY' &
import json, os, socket, sys, time
folder, trail = sys.argv[1], sys.argv[2]
os.makedirs(folder, mode=0o700, exist_ok=True)
lines = [json.loads(l) for l in open(trail)]
kinds = [e for e in lines if e["kind"] not in ("session_end",)]
path = os.path.join(folder, "feed.sock")
s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(4); s.setblocking(False)
clients, n, start = [], 0, time.time()
def line(e):
    e = dict(e); e["session"] = "00000000be0cbe0c"; e["ts_ns"] = time.time_ns()
    return (json.dumps(e, separators=(",", ":")) + "\n").encode()
while True:
    try:
        c, _ = s.accept(); c.setblocking(True); clients.append(c)
    except BlockingIOError:
        pass
    batch = b"".join(line(kinds[(n + i) % len(kinds)]) for i in range(50))
    n += 50
    for c in list(clients):
        try: c.sendall(batch)
        except OSError: clients.remove(c)
    # 50 events every 50 ms: 1,000 a second.
    time.sleep(max(0, start + n / 1000 - time.time()))
PY
fake=$!
sleep 1
tmux -L "$sock" new-session -d -s m -x 120 -y 40 "$ww monitor"
sleep 3
mon=$(monitor_pid)
busy=$(cpu "$mon")
shown=$(tmux -L "$sock" capture-pane -p -t m | grep -c 00000000 || true)
echo "ww monitor at 1,000 events/s: $busy % of a core over $seconds s; VmRSS $(mib "$(kb "$mon" VmRSS)") MiB (the stand-in session on screen: $shown line)"
