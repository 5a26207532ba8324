#!/bin/sh
# File activity on big game folders: `ww --rw GAME -- true` with a folder of 100,000 files (1,000
# folders of 100) against the same with an empty folder, in the same run; then how many inotify
# watches the big folder took and how long adding them took (file_watch_status of a real session).
# The watches are added by the watcher's own thread after bwrap starts: the launch does not wait.
# Usage: bench/files.sh [path/to/ww]   (default .build/release/ww)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
ww=$(ww_binary "${1:-}")
runs=${RUNS:-30}
work=$(mktemp -d /tmp/ww-bench-files.XXXXXX)
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" WW_PROFILE_PATH="$here/profiles"
mkdir -p "$HOME" "$work/empty" "$work/big"
python3 - "$work/big" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(1000):
    folder = os.path.join(root, "d%03d" % d)
    os.mkdir(folder)
    for f in range(100):
        open(os.path.join(folder, "asset%03d.pak" % f), "w").close()
PY
echo "game folder: $(find "$work/big" -type f | wc -l) files in $(find "$work/big" -mindepth 1 -type d | wc -l) folders"
out=$(mktemp)
hyperfine -N --warmup 3 --runs "$runs" --export-json "$out" "$ww --quiet --rw $work/empty -- /usr/bin/true" "$ww --quiet --rw $work/big -- /usr/bin/true" >&2
python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
e, b = r[0], r[1]
print(f"launch, empty game folder:   mean {e['mean']*1e3:.1f} ms (min {e['min']*1e3:.1f})")
print(f"launch, 100,000-file folder: mean {b['mean']*1e3:.1f} ms (min {b['min']*1e3:.1f})")
print(f"ratio big/empty: {b['mean']/e['mean']:.2f}x")
PY
rm -f "$out"
# A session long enough for the walk to finish: what it cost.
"$ww" --quiet --rw "$work/big" --log "$work/trail.jsonl" -- /bin/sleep 3
python3 - "$work/trail.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["kind"] == "file_watch_status":
        print(f"inotify watches: {e['watches']} (folders not watched: {e['folders_not_watched']}), added in {e['walk_ms']} ms on the watcher's thread")
PY
limit=$(cat /proc/sys/fs/inotify/max_user_watches)
echo "this user's inotify limit: $limit watches; ww takes at most a quarter (min(16384, limit/4) = $(( limit / 4 < 16384 ? limit / 4 : 16384 )))"
