#!/bin/sh
# Start-up cost: `ww -- true` (default profile, the whole pipeline: profiles, plan, bwrap, inner helper)
# against bare `bwrap --unshare-all ... true`, measured in the same run. Prints the ratio.
# Usage: bench/start.sh [path/to/ww]   (default .build/release/ww; build with `make release`)
set -eu
ww=${1:-.build/release/ww}
runs=${RUNS:-200}
here=$(cd "$(dirname "$0")/.." && pwd)
export WW_PROFILE_PATH="$here/profiles"
bare="bwrap --unshare-all --die-with-parent --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --ro-bind /etc /etc --proc /proc --dev /dev --tmpfs /tmp -- /usr/bin/true"
# The same bwrap command ww builds for the default profile (its mounts, hidden files, persistence
# guards), running true instead of ww's inner helper and without the filter: what the policy alone
# costs bwrap, so the rest is ww's own work (planning, filters, the helper, the handshake).
"$ww" --quiet -- /usr/bin/true   # makes the folders the plan binds (the game's /tmp and home) on a fresh home
policy=$("$ww" plan -- /usr/bin/true | tail -n 1 | sed 's| --seccomp FD||; s| -- /run/winewarden/ww __inner-helper$| -- /usr/bin/true|')
case $policy in *bwrap*/usr/bin/true) ;; *) echo "start.sh: cannot read the bwrap command from ww plan" >&2; exit 1 ;; esac
out=$(mktemp)
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 20 --runs "$runs" --export-json "$out" "$bare" "$policy" "$ww -- /usr/bin/true" >&2
    python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
bare, policy, ww = r[0], r[1], r[2]
print(f"bare bwrap:              mean {bare['mean']*1e3:.2f} ms (min {bare['min']*1e3:.2f})")
print(f"bwrap, ww's mounts:      mean {policy['mean']*1e3:.2f} ms (min {policy['min']*1e3:.2f})")
print(f"ww -- true:              mean {ww['mean']*1e3:.2f} ms (min {ww['min']*1e3:.2f})")
print(f"ratio ww/bare bwrap: {ww['mean']/bare['mean']:.2f}x (target within 2x and under 25 ms)")
print(f"ratio ww/bwrap with ww's mounts: {ww['mean']/policy['mean']:.2f}x; ww's own part {(ww['mean']-policy['mean'])*1e3:.1f} ms")
PY
else
    t() { s=$(date +%s%N); i=0; while [ $i -lt "$runs" ]; do "$@" >/dev/null; i=$((i+1)); done; echo $(( ($(date +%s%N) - s) / runs )); }
    b=$(t $bare); p=$(eval "t $policy"); w=$(t "$ww" -- /usr/bin/true)
    echo "bare bwrap: $((b/1000)) us; bwrap with ww's mounts: $((p/1000)) us; ww -- true: $((w/1000)) us; ratio $(python3 -c "print(round($w/$b,2))")x"
fi
rm -f "$out"
# Latency (goal: exec to the game's exec ≤ 8 ms, the game's exit to ww's exit ≤ 3 ms): the game is a
# program that prints the time as it starts and exits at once; the bench notes when it started the
# command and when the command's exit was seen. Bare bwrap and bwrap with ww's argv run the same program.
stampdir=$(mktemp -d /tmp/ww-bench-stamp.XXXXXX)
trap 'rm -rf "$stampdir"' EXIT
if cc -O2 -static -o "$stampdir/stamp" "$here/bench/stamp.c" 2>/dev/null || cc -O2 -o "$stampdir/stamp" "$here/bench/stamp.c"; then
    chmod 755 "$stampdir" "$stampdir/stamp"
    python3 - "$ww" "$stampdir/stamp" "${LATENCY_RUNS:-100}" "$bare" "$policy" <<'PY'
import shlex, subprocess, sys, time
ww, stamp, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
bare = shlex.split(sys.argv[4]); policy = shlex.split(sys.argv[5])
def with_stamp(argv):
    # The bwrap commands run /usr/bin/true: bind the stamp program in and run it instead.
    # (before ww's final read-only remount of the root, into the /tmp both have).
    sep = len(argv) - 1 - argv[::-1].index("--")
    at = argv.index("--remount-ro") if "--remount-ro" in argv[:sep] else sep
    return argv[:at] + ["--ro-bind", stamp, "/tmp/ww-stamp"] + argv[at:sep] + ["--", "/tmp/ww-stamp"]
cmds = {"bare bwrap": with_stamp(bare), "bwrap, ww's mounts": with_stamp(policy), "ww": [ww, "--", stamp]}
got = {k: ([], []) for k in cmds}
for _ in range(5):
    for argv in cmds.values(): subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(runs):
    for name, argv in cmds.items():
        t0 = time.time_ns()
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        t1 = time.time_ns()
        line = r.stdout.decode().strip().splitlines()
        if r.returncode != 0 or not line: sys.exit(f"start.sh: {name} failed ({r.returncode})")
        at = int(line[-1])
        got[name][0].append((at - t0) / 1e6); got[name][1].append((t1 - at) / 1e6)
mean = lambda xs: sum(xs) / len(xs)
for name, (start, end) in got.items():
    print(f"{name + ':':24} exec to the game's start mean {mean(start):.2f} ms (min {min(start):.2f}), the game's exit to the exit seen mean {mean(end):.2f} ms (min {min(end):.2f})")
bs, be = mean(got["bare bwrap"][0]), mean(got["bare bwrap"][1])
ws, we = mean(got["ww"][0]), mean(got["ww"][1])
print(f"ww's start latency {ws:.2f} ms = {ws/bs:.2f}x bare bwrap's (target 8 ms); exit latency {we:.2f} ms = {we/be:.2f}x bare bwrap's (target 3 ms)")
PY
else
    echo "start.sh: no C compiler: the latency figures need one (apt-get install gcc)" >&2
fi

# home = "host": the folders of the real home that hold hidden paths, persistence targets or ww's
# state are bound onto themselves (anchors: mount points, so they cannot be renamed). Their cost is
# bwrap's: the same command with and without them, against bare bwrap, in the same run. (As above,
# the bwrap commands need a home without secrets: the decoys' sources exist only during a session.)
command -v hyperfine >/dev/null 2>&1 || exit 0
"$ww" --quiet --home host -- /usr/bin/true   # makes the folders the anchors need (ww does before each start)
hostplan=$("$ww" plan --home host -- /usr/bin/true 2>/dev/null)
with=$(printf '%s\n' "$hostplan" | tail -n 1 | sed 's| --seccomp FD||; s| -- /run/winewarden/ww __inner-helper$| -- /usr/bin/true|')
without=$(printf '%s\n' "$hostplan" | python3 -c '
import sys
lines = sys.stdin.read().splitlines()
anchors = {l.split()[1] for l in lines if l.startswith("  anchor ")}
argv, out, i = lines[-1].split(" "), [], 0
while i < len(argv):
    if argv[i] == "--bind" and i + 2 < len(argv) and argv[i + 1] == argv[i + 2] and argv[i + 1] in anchors:
        i += 3
        continue
    out.append(argv[i]); i += 1
print(" ".join(out))
')
without=$(printf '%s' "$without" | sed 's| --seccomp FD||; s| -- /run/winewarden/ww __inner-helper$| -- /usr/bin/true|')
n=$(printf '%s\n' "$hostplan" | grep -c '^  anchor ' || true)
hyperfine -N --warmup 20 --runs "$runs" --export-json "$out" "$bare" "$without" "$with" "$ww --home host -- /usr/bin/true" >&2
python3 - "$out" "$n" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
bare, without, with_, ww = (x["mean"] * 1e3 for x in r)
print(f"home = host, {sys.argv[2]} anchors:")
print(f"  bare bwrap {bare:.2f} ms; bwrap with ww's mounts without anchors {without:.2f} ms ({without/bare:.2f}x), with anchors {with_:.2f} ms ({with_/bare:.2f}x)")
print(f"  anchors cost {with_-without:.2f} ms; ww --home host -- true {ww:.2f} ms ({ww/bare:.2f}x bare bwrap)")
PY
rm -f "$out"
