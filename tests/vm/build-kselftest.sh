#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the kselftest of the series for the guest, from the source tree of
# a built kernel (the flavour whose series adds it):
#
#   build-kselftest.sh KERNEL_DIR OUT
#
# KERNEL_DIR is a kernel directory of the cache (its info file names the
# source tree); OUT the static binary (tools/testing/selftests/mm/
# ksm_bpf_ops.c, with the kernel's own uapi headers and libbpf).  A kernel
# without the test (no such file in its tree) builds nothing and removes
# OUT: the guest then skips the test and says why.
set -eu
KDIR=$1
OUT=$2
CC=${VM_CC:-gcc}

src=$(sed -n 's/^source //p' "$KDIR/info" 2>/dev/null || true)
mm=$src/tools/testing/selftests/mm
if [ -z "$src" ] || [ ! -r "$mm/ksm_bpf_ops.c" ]; then
	rm -f "$OUT"
	exit 0
fi
[ "$OUT" -nt "$mm/ksm_bpf_ops.c" ] && exit 0
printf '  %-7s %s\n' KSFT "$(basename "$OUT") ($mm)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$(dirname "$OUT")"
# local_config.h: what the selftests' own Makefile generates
cp "$mm/check_config.sh" "$tmp/"
(cd "$tmp" && sh ./check_config.sh "$CC" > /dev/null)
grep -q LOCAL_CONFIG_HAVE_LIBBPF "$tmp/local_config.h" ||
	{ echo "build-kselftest: no libbpf (apt-get install libbpf-dev)" >&2; exit 1; }
$CC -O2 -Wall -static -I "$tmp" -isystem "$src/tools/include/uapi" \
	-o "$OUT" "$mm/ksm_bpf_ops.c" -lbpf -lelf -lz
