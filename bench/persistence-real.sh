#!/bin/sh
# Persistence in a real home (home = host-ro): each existing target is a session copy ww makes before the
# game and binds over it. Start-up of `ww --home host-ro -- /usr/bin/true` with a home holding a typical
# set of targets (.bashrc, .profile, .bash_logout, 3 autostart entries, 60 desktop entries, 12 scripts in
# ~/.local/bin, 2 user units) against the same with a home holding none, alternating in the same run (the
# runtime folder, where the copies go, on tmpfs as /run/user/UID is);
# bare bwrap as the floor. Prints the ratio and what the copies cost.
# Usage: bench/persistence-real.sh [path/to/ww]   (as root: WW_BENCH_USER=name runs them as that user)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
ww=$(ww_binary "${1:-}")
runs=${RUNS:-200}
bench_user persistence-real.sh
work=$(mktemp -d /tmp/ww-bench-realhome.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The runtime folder (where the session copies go) on tmpfs, as /run/user/UID is on a desktop.
run=$(mktemp -d /dev/shm/ww-bench-run.XXXXXX 2>/dev/null || mktemp -d /tmp/ww-bench-run.XXXXXX)
trap 'rm -rf "$work" "$run"' EXIT
mkdir -p "$work/full" "$work/bare"; ln -s "$run" "$work/run"; chmod 700 "$run"; chmod 755 "$work"
h=$work/full
mkdir -p "$h/.config/autostart" "$h/.local/share/applications" "$h/.local/bin" "$h/.config/systemd/user"
printf '# bashrc\nalias ll="ls -l"\n' > "$h/.bashrc"; printf '# profile\n' > "$h/.profile"; printf 'clear\n' > "$h/.bash_logout"
for i in 1 2 3; do printf '[Desktop Entry]\nType=Application\nExec=/usr/bin/app%s\n' "$i" > "$h/.config/autostart/app$i.desktop"; done
i=0; while [ $i -lt 60 ]; do printf '[Desktop Entry]\nName=Game %s\nExec=steam steam://rungameid/%s\n' $i $i > "$h/.local/share/applications/game$i.desktop"; i=$((i+1)); done
i=0; while [ $i -lt 12 ]; do printf '#!/bin/sh\nexec true\n' > "$h/.local/bin/tool$i"; chmod 755 "$h/.local/bin/tool$i"; i=$((i+1)); done
for u in a b; do printf '[Service]\nExecStart=/usr/bin/%s\n' $u > "$h/.config/systemd/user/$u.service"; done
[ -n "$as" ] && chown -R "$user" "$work/full" "$work/bare" "$run"
cp "$ww" "$work/ww"; chmod 755 "$work/ww"; cp -r "$here/profiles" "$work/profiles"; chmod -R a+rX "$work/profiles"
python3 - "$runs" "$work" "$user" "$as" <<'PY'
import os, subprocess, sys, time
runs, work, user, as_ = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
prefix = as_.split() if as_ else []
run = os.path.realpath(work + "/run")
def env(home): return {"HOME": home, "PATH": "/usr/bin:/bin", "USER": user, "XDG_RUNTIME_DIR": run, "WW_PROFILE_PATH": work + "/profiles"}
def once(cmd, home):
    t = time.perf_counter()
    r = subprocess.run(prefix + cmd, env=env(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=home)
    if r.returncode != 0: sys.exit("persistence-real.sh: %s failed: %s" % (cmd[0], r.stderr.decode()[-300:]))
    return time.perf_counter() - t
ww = [work + "/ww", "--home", "host-ro", "--", "/usr/bin/true"]
bare = ["bwrap", "--unshare-all", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "/usr/bin/true"]
full, empty, floor = [], [], []
for _ in range(5): once(ww, work + "/full"); once(ww, work + "/bare")
for _ in range(runs):
    full.append(once(ww, work + "/full")); empty.append(once(ww, work + "/bare")); floor.append(once(bare, work + "/bare"))
mean = lambda xs: sum(xs) / len(xs)
print(f"bare bwrap: mean {mean(floor)*1e3:.2f} ms")
print(f"ww --home host-ro, home with no targets: mean {mean(empty)*1e3:.2f} ms ({mean(empty)/mean(floor):.2f}x bare bwrap)")
print(f"ww --home host-ro, 3 shell files + 4 target folders (77 files) copied: mean {mean(full)*1e3:.2f} ms ({mean(full)/mean(floor):.2f}x bare bwrap)")
print(f"ratio with/without targets: {mean(full)/mean(empty):.3f}x; the session copies cost {(mean(full)-mean(empty))*1e3:.2f} ms")
PY
