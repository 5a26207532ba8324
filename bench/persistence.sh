#!/bin/sh
# Persistence in a virtual home: today's capture (no mount over the targets; ww snapshots them before the
# game and compares after) against the guard mounts it replaced (an empty read-only file over each shell
# startup file, an empty unreadable tmpfs over each autostart/systemd/applications/bin folder), both as the
# bwrap command `ww plan` prints running /usr/bin/true, alternating in the same run; then `ww -- true`
# (which includes the snapshot and the comparison). Prints the ratio.
# Usage: bench/persistence.sh [path/to/ww]   (as root: WW_BENCH_USER=name runs them as that user)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
ww=$(ww_binary "${1:-}")
runs=${RUNS:-200}
bench_user persistence.sh
work=$(mktemp -d /tmp/ww-bench-persist.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/run"; chmod 700 "$work/run"; chmod 755 "$work"
[ -n "$as" ] && chown -R "$user" "$work/home" "$work/run"
cp "$ww" "$work/ww"; chmod 755 "$work/ww"; cp -r "$here/profiles" "$work/profiles"; chmod -R a+rX "$work/profiles"
python3 - "$runs" "$work" "$user" "$as" <<'PY'
import os, shlex, subprocess, sys, time
runs, work, user, as_ = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
home = work + "/home"
env = {"HOME": home, "PATH": "/usr/bin:/bin", "USER": user, "XDG_RUNTIME_DIR": work + "/run", "WW_PROFILE_PATH": work + "/profiles"}
prefix = as_.split() if as_ else []
subprocess.run(prefix + [work + "/ww", "--", "/usr/bin/true"], env=env, check=True, stderr=subprocess.DEVNULL)   # makes the virtual home
plan = subprocess.run(prefix + [work + "/ww", "plan", "--", "/usr/bin/true"], env=env, capture_output=True, text=True, check=True).stdout
argv = shlex.split(plan.strip().splitlines()[-1])
argv = [a for i, a in enumerate(argv) if a != "--seccomp" and not (i > 0 and argv[i - 1] == "--seccomp")]
sep = argv.index("--")
argv = argv[:sep] + ["--", "/usr/bin/true"]
empty = work + "/empty"; open(empty, "w").close(); os.chmod(empty, 0)
files = [".bashrc", ".bash_profile", ".bash_login", ".profile", ".bash_logout", ".zshrc", ".zshenv", ".zprofile", ".zlogin",
         ".xprofile", ".xinitrc", ".xsessionrc", ".pam_environment"]
dirs = [".config/autostart", ".config/systemd/user", ".local/share/applications", ".local/bin", ".config/environment.d",
        ".config/fish", ".config/plasma-workspace/env", ".config/plasma-workspace/shutdown"]
guards = []
for f in files: guards += ["--ro-bind", empty, home + "/" + f]
for d in dirs: guards += ["--perms", "0000", "--tmpfs", home + "/" + d, "--remount-ro", home + "/" + d]
at = argv.index("--remount-ro") if "--remount-ro" in argv else argv.index("--")
guarded = argv[:at] + guards + argv[at:]
def once(cmd):
    t = time.perf_counter()
    r = subprocess.run(prefix + cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0: sys.exit("persistence.sh: %s failed: %s" % (cmd[0], r.stderr.decode()[-300:]))
    return time.perf_counter() - t
now, old, ww = [], [], []
for _ in range(10): once(argv); once(guarded)
for _ in range(runs):
    now.append(once(argv)); old.append(once(guarded)); ww.append(once([work + "/ww", "--", "/usr/bin/true"]))
mean = lambda xs: sum(xs) / len(xs)
print(f"bwrap, ww's argv (capture, no guards): mean {mean(now)*1e3:.2f} ms (min {min(now)*1e3:.2f})")
print(f"bwrap, same + the {len(files) + len(dirs)} guard mounts: mean {mean(old)*1e3:.2f} ms (min {min(old)*1e3:.2f})")
print(f"ratio guards/capture: {mean(old)/mean(now):.3f}x; the guards cost {(mean(old)-mean(now))*1e3:.2f} ms")
print(f"ww -- true (snapshot and comparison included): mean {mean(ww)*1e3:.2f} ms")
PY
