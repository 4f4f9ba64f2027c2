#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Pack the guest initramfs: static busybox, /init, the guest suite and the
# statically linked tools found in the build's bin/ directory.
#
#   mkinitrd.sh VM_DIR GUEST_SRC_DIR TOOLS_BIN_DIR OUT.gz
set -eu
VM_DIR=$1
GUEST=$2
TOOLS=$3
OUT=$4
ROOT=$VM_DIR/initramfs
BUSYBOX=${BUSYBOX:-/bin/busybox}

die() { echo "mkinitrd: $*" >&2; exit 1; }
is_static() { ! readelf -l "$1" 2>/dev/null | grep -q 'INTERP'; }

[ -x "$BUSYBOX" ] || die "$BUSYBOX missing (apt-get install busybox-static)"
is_static "$BUSYBOX" || die "$BUSYBOX is not statically linked"

rm -rf "$ROOT"
mkdir -p "$ROOT/bin" "$ROOT/sbin" "$ROOT/usr/bin" "$ROOT/usr/sbin" \
	"$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp" "$ROOT/run" \
	"$ROOT/tests" "$ROOT/opt/ksm-bpf/bin"
cp "$BUSYBOX" "$ROOT/bin/busybox"
cp "$GUEST/init.sh" "$ROOT/init"
chmod 755 "$ROOT/init"
for f in "$GUEST"/*.sh "$GUEST"/*.awk; do
	[ -e "$f" ] || continue
	[ "$(basename "$f")" = init.sh ] && continue
	cp "$f" "$ROOT/tests/"
done
chmod 755 "$ROOT"/tests/*.sh
for f in "$VM_DIR"/guest/*; do
	case $f in
	*.bpf.o) cp "$f" "$ROOT/tests/" ;;
	*.log) ;;
	*) [ -x "$f" ] && cp "$f" "$ROOT/tests/" ;;
	esac
done
if [ -d "$TOOLS" ]; then
	for f in "$TOOLS"/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		cp "$f" "$ROOT/opt/ksm-bpf/bin/"
		is_static "$f" && continue
		# A dynamic tool (ksmtop: libmicrohttpd) brings its loader and
		# libraries, at the same paths as on the host.
		for lib in $(ldd "$f" | awk '/=> \// {print $3} /^\t\// {print $1}'); do
			mkdir -p "$ROOT$(dirname "$lib")"
			cp -L "$lib" "$ROOT$lib"
		done
	done
fi
# example policy objects (ksmpolicy load), next to the tools
if [ -d "$TOOLS/../examples" ]; then
	mkdir -p "$ROOT/opt/ksm-bpf/examples"
	cp "$TOOLS"/../examples/*.bpf.o "$ROOT/opt/ksm-bpf/examples/" 2>/dev/null || true
fi
# the built-in policy's object, for ksmlink replace (the VM suite's torture)
for f in "$TOOLS"/../bpf/ksm_policy*.bpf.o; do
	[ -e "$f" ] || continue
	mkdir -p "$ROOT/opt/ksm-bpf/examples"
	cp "$f" "$ROOT/opt/ksm-bpf/examples/builtin_policy.bpf.o"
done
(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 > "$OUT"
