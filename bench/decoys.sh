#!/bin/sh
# Decoys: `ww -- true` with a home full of secrets (decoys written, bound and watched for each session)
# against the same with `[filesystem] decoys = false` (the secrets hidden as empty mounts), alternating in
# the same run; then the supervisor's memory (PSS of ww) after 1,000 opens of a decoy against a session
# that opens none. Prints the ratios.
# Usage: bench/decoys.sh [path/to/ww]   (as root: WW_BENCH_USER=name runs ww as that user)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
ww=$(ww_binary "${1:-}")
runs=${RUNS:-100}
bench_user decoys.sh
work=$(mktemp -d /tmp/ww-bench-decoys.XXXXXX)
trap 'rm -rf "$work"' EXIT
home=$work/home
for d in .ssh .aws .gnupg .mozilla/firefox/x.default .config/google-chrome/Default .config/discord .bitcoin .electrum \
         .ethereum/keystore .local/share/keyrings .password-store .kube .docker; do mkdir -p "$home/$d"; done
echo key > "$home/.ssh/id_rsa"; echo creds > "$home/.aws/credentials"; echo machine > "$home/.netrc"; echo url > "$home/.git-credentials"
cp -r "$here/profiles" "$work/profiles"
printf 'extends = "default"\n[filesystem]\ndecoys = false\n' > "$work/profiles/nodecoys.toml"
mkdir -p "$work/run"; chmod 700 "$work/run"
[ -n "$as" ] && chown -R "$user" "$home" "$work/run"
chmod 755 "$work"; chmod -R a+rX "$work/profiles"
cp "$ww" "$work/ww"; chmod 755 "$work/ww"
env_run() { env -i HOME="$home" PATH=/usr/bin:/bin USER="$user" XDG_RUNTIME_DIR="$work/run" WW_PROFILE_PATH="$work/profiles" $as "$@"; }
decoys=$(env_run "$work/ww" plan -- /usr/bin/true | grep -c '^decoy ') || true
python3 - "$runs" "$decoys" "$work/ww" "$home" "$user" "$work" "$as" <<'PY'
import os, subprocess, sys, time
runs, decoys, ww, home, user, work, as_ = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
env = {"HOME": home, "PATH": "/usr/bin:/bin", "USER": user, "XDG_RUNTIME_DIR": work + "/run", "WW_PROFILE_PATH": work + "/profiles"}
prefix = as_.split() if as_ else []
def once(args):
    t = time.perf_counter()
    subprocess.run(prefix + [ww] + args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t
on, off = [], []
for _ in range(10): once(["--", "/usr/bin/true"])
for _ in range(runs):
    on.append(once(["--", "/usr/bin/true"]))
    off.append(once(["--profile", "nodecoys", "--", "/usr/bin/true"]))
mean = lambda xs: sum(xs) / len(xs)
print(f"decoys on ({decoys} decoys): mean {mean(on)*1e3:.2f} ms (min {min(on)*1e3:.2f})")
print(f"decoys off:                 mean {mean(off)*1e3:.2f} ms (min {min(off)*1e3:.2f})")
print(f"ratio on/off: {mean(on)/mean(off):.3f}x; decoys cost {(mean(on)-mean(off))*1e3:.2f} ms")
def pss(script):
    p = subprocess.Popen(prefix + [ww, "--", "/bin/sh", "-c", script], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ready = home + "/.ready"
    deadline = time.time() + 60
    while time.time() < deadline:
        # The game writes the marker into its (virtual) home once its opens are done; ww's PSS then.
        found = subprocess.run(["find", work, "-name", ".bench-ready"], capture_output=True, text=True).stdout.strip()
        if found: break
        time.sleep(0.05)
    with open(f"/proc/{p.pid}/smaps_rollup") as f:
        value = next(int(l.split()[1]) for l in f if l.startswith("Pss:"))
    p.wait()
    subprocess.run(["find", work, "-name", ".bench-ready", "-delete"])
    return value
loop = "i=0; while [ $i -lt 1000 ]; do : < ~/.ssh/id_rsa; : < ~/.aws/credentials; i=$((i+1)); done; "
quiet = pss("touch ~/.bench-ready; sleep 1")
busy = pss(loop + "touch ~/.bench-ready; sleep 1")
print(f"ww PSS, no decoy opened: {quiet/1024:.1f} MiB; after 2,000 decoy opens: {busy/1024:.1f} MiB; ratio {busy/quiet:.3f}x")
PY
