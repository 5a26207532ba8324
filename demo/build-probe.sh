#!/bin/sh
# Build the demo "credential stealer" probe.exe (64-bit) and probe32.exe (32-bit, if possible).
# Usage: demo/build-probe.sh [OUTDIR]   (default: demo/out/)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/out}
cc64=${CC64:-x86_64-w64-mingw32-gcc}
cc32=${CC32:-i686-w64-mingw32-gcc}
# -static-libgcc keeps the exe free of libgcc DLLs; only kernel32 and msvcrt are imported.
cflags="-O2 -Wall -Wextra -std=c99 -static-libgcc -s"

if ! command -v "$cc64" >/dev/null 2>&1; then
    echo "build-probe.sh: $cc64 not found; install it with: apt-get install gcc-mingw-w64-x86-64" >&2
    exit 1
fi

mkdir -p "$out"
"$cc64" $cflags -o "$out/probe.exe" "$here/probe.c"
echo "built $out/probe.exe"

if command -v "$cc32" >/dev/null 2>&1; then
    "$cc32" $cflags -o "$out/probe32.exe" "$here/probe.c"
    echo "built $out/probe32.exe"
else
    echo "build-probe.sh: $cc32 not found; skipping probe32.exe (apt-get install gcc-mingw-w64-i686)" >&2
fi
