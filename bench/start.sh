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
