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
out=$(mktemp)
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 20 --runs "$runs" --export-json "$out" "$bare" "$ww -- /usr/bin/true" >&2
    python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
bare, ww = r[0], r[1]
print(f"bare bwrap: mean {bare['mean']*1e3:.2f} ms (min {bare['min']*1e3:.2f})")
print(f"ww -- true: mean {ww['mean']*1e3:.2f} ms (min {ww['min']*1e3:.2f})")
print(f"ratio ww/bwrap: {ww['mean']/bare['mean']:.2f}x (target within 2x)")
PY
else
    t() { s=$(date +%s%N); i=0; while [ $i -lt "$runs" ]; do "$@" >/dev/null; i=$((i+1)); done; echo $(( ($(date +%s%N) - s) / runs )); }
    b=$(t $bare); w=$(t "$ww" -- /usr/bin/true)
    echo "bare bwrap: $((b/1000)) us; ww -- true: $((w/1000)) us; ratio $(python3 -c "print(round($w/$b,2))")x"
fi
rm -f "$out"
