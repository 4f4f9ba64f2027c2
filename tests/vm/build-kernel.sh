#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the patched guest kernel for the VM suite, incrementally.
#
#   build-kernel.sh VM_DIR TARBALL PATCH_DIR [CONFIG_VARIANT]
#
# VM_DIR/linux  the source: TARBALL unpacked, PATCH_DIR/series applied, then
#               the test-only patches of PATCH_DIR/testing/series (knobs in
#               /sys/kernel/debug/ksm_test/, all off by default; set
#               KSM_TESTING=0 to leave them out)
# VM_DIR/obj    the kbuild output (O=), kept between runs
#
# Nothing happens when the stamp (a hash of the tarball name and size, the
# series, every patch, the testing series and its patches, the config
# fragment and this script) is unchanged.
# When it changed, the source is unpacked again: tar keeps the tarball's
# mtimes, so only the files the old or the new series touch (they are
# touched explicitly) and the config changes are rebuilt.
set -eu
# A variable given on the calling make's command line (make OUTPUT=DIR ...)
# reaches every sub-make through MAKEFLAGS, and kbuild's tools (objtool,
# resolve_btfids) then write their objects into it: the kernel build gets
# its own environment.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL OUTPUT

VM_DIR=$1
TARBALL=$2
PATCH_DIR=$3
SRC=$VM_DIR/linux
OBJ=$VM_DIR/obj
JOBS=${JOBS:-$(($(nproc) + 1))}
FRAGMENT=$PATCH_DIR/config.fragment
SERIES=$PATCH_DIR/series

log() { printf '  %-7s %s\n' "$1" "$2"; }
die() { echo "build-kernel: $*" >&2; exit 1; }

[ -r "$TARBALL" ] || die "$TARBALL missing (apt-get install linux-source-6.12)"
[ -r "$SERIES" ] || die "$SERIES missing"
[ -r "$FRAGMENT" ] || die "$FRAGMENT missing"

patches=$(grep -v '^[[:space:]]*\(#\|$\)' "$SERIES" | awk '{print $1}')
# The test-only patches go on top of the series, as testing/NAME.
TESTING_SERIES=$PATCH_DIR/testing/series
if [ "${KSM_TESTING:-1}" = 1 ] && [ -r "$TESTING_SERIES" ]; then
	patches="$patches $(grep -v '^[[:space:]]*\(#\|$\)' "$TESTING_SERIES" |
		awk '{print "testing/" $1}')"
fi

stamp_of() {
	{
		ls -l --time-style=+ "$TARBALL" | awk '{print $5, $NF}'
		cat "$SERIES"
		echo $patches
		for p in $patches; do cat "$PATCH_DIR/$p"; done
		cat "$FRAGMENT" "$0"
	} | sha256sum | cut -d' ' -f1
}
src_stamp_of() {
	{
		ls -l --time-style=+ "$TARBALL" | awk '{print $5, $NF}'
		cat "$SERIES"
		echo $patches
		for p in $patches; do cat "$PATCH_DIR/$p"; done
	} | sha256sum | cut -d' ' -f1
}

want=$(stamp_of)
if [ -f "$OBJ/arch/x86/boot/bzImage" ] && [ -f "$VM_DIR/kernel.stamp" ] &&
   [ "$(cat "$VM_DIR/kernel.stamp")" = "$want" ]; then
	log KERNEL "up to date ($(echo "$want" | cut -c1-12))"
	exit 0
fi
rm -f "$VM_DIR/kernel.stamp"
mkdir -p "$VM_DIR" "$OBJ"

# 1. the source tree
want_src=$(src_stamp_of)
if [ ! -f "$VM_DIR/source.stamp" ] ||
   [ "$(cat "$VM_DIR/source.stamp")" != "$want_src" ]; then
	rm -f "$VM_DIR/source.stamp"
	log UNPACK "$TARBALL"
	rm -rf "$SRC"
	mkdir -p "$SRC"
	tar -C "$SRC" --strip-components=1 -xf "$TARBALL"
	for p in $patches; do
		log PATCH "$p"
		patch -d "$SRC" -p1 -s --no-backup-if-mismatch -i "$PATCH_DIR/$p" ||
			die "$p does not apply"
	done
	# Files patched now or by the previous series must be rebuilt.
	for p in $patches; do
		sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$PATCH_DIR/$p"
	done | sort -u > "$VM_DIR/patched-files.new"
	cat "$VM_DIR/patched-files" "$VM_DIR/patched-files.new" 2>/dev/null |
		sort -u | while read -r f; do
			[ -e "$SRC/$f" ] && touch "$SRC/$f"
		done
	mv "$VM_DIR/patched-files.new" "$VM_DIR/patched-files"
	echo "$want_src" > "$VM_DIR/source.stamp"
fi

# 2. the configuration: tinyconfig + fragment, and check that it all took
log CONFIG "tinyconfig + $FRAGMENT"
make -s -C "$SRC" O="$OBJ" tinyconfig >/dev/null
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" \
	"$FRAGMENT" >/dev/null
make -s -C "$SRC" O="$OBJ" olddefconfig >/dev/null
missing=0
grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' \
	"$FRAGMENT" | while read -r line; do
	case $line in
	"# "*)	sym=${line#\# }; sym=${sym%% *}
		if grep -q "^$sym=" "$OBJ/.config"; then
			echo "build-kernel: $sym should not be set" >&2; exit 1
		fi ;;
	*)	if ! grep -qx "$line" "$OBJ/.config"; then
			echo "build-kernel: '$line' did not take" >&2; exit 1
		fi ;;
	esac
done || missing=1
[ $missing -eq 0 ] || die "config fragment not applied (see above)"

# 3. the kernel
log KBUILD "bzImage -j$JOBS (log: $VM_DIR/kbuild.log)"
start=$(date +%s)
if ! make -C "$SRC" O="$OBJ" -j"$JOBS" bzImage > "$VM_DIR/kbuild.log" 2>&1; then
	tail -n 40 "$VM_DIR/kbuild.log" >&2
	die "kernel build failed"
fi
log KBUILD "done in $(($(date +%s) - start)) s"
grep -q '^CONFIG_DEBUG_INFO_BTF=y' "$OBJ/.config" && [ -s "$OBJ/vmlinux" ] ||
	die "no vmlinux with BTF"
echo "$want" > "$VM_DIR/kernel.stamp"
