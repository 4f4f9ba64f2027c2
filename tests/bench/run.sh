#!/bin/bash
# make bench: see bench.py. Writes docs/BENCHMARKS.md.
set -eu
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
exec python3 tests/bench/bench.py --bin "${BIN:?}" --out docs/BENCHMARKS.md "$@"
