#!/bin/sh
# What looking for canary tokens costs the proxy: the matcher (its source, built -O) on 64 KiB, the
# most it reads of one connection, for 1, 12 and 50 tokens.
# Usage: bench/canary.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/ww-bench-canary.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$here/bench/canary.swift" "$work/main.swift"   # top-level code must be in main.swift
swiftc -O -o "$work/canary" "$work/main.swift" "$here/Sources/WardenCore/Network/CanaryMatcher.swift" "$here/Sources/WardenCore/Audit/Visibility.swift"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
"$work/canary"
