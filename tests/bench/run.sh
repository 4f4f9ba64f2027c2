#!/bin/bash
# make bench: see bench.py. Writes docs/BENCHMARKS.md.
set -eu
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
# The bench turns ksmd on and asserts nothing, but it must not run while a
# host test (or another bench) changes KSM's global state: the same lock.
mkdir -p /run/lock
exec flock /run/lock/ksm-bpf-host.lock \
	python3 tests/bench/bench.py --bin "${BIN:?}" --out docs/BENCHMARKS.md "$@"
