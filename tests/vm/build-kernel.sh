#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build (or find in the cache) the guest kernel of one flavour.
#
#   build-kernel.sh FLAVOUR [LINK]
#
# A flavour is a file tests/vm/flavours/FLAVOUR, one directive a line
# (paths relative to the top of the repository, # starts a comment):
#
#   tarball /usr/src/linux-source-6.12.tar.xz   the kernel source (one line)
#   series kernel-patch/series                  patches, in order (0 or more
#                                               lines; names relative to the
#                                               series file's directory)
#   fragment tests/vm/config/guest.fragment     config fragments merged on
#                                               tinyconfig, in order (1 or more)
#
# Adding a kernel to the VM suite is adding such a file: a stock kernel has
# no series line (e.g. tarball /usr/src/linux-source-6.1.tar.xz and the one
# fragment tests/vm/config/guest.fragment), then
# `make vm-kernel VM_FLAVOUR=NAME` and `make vm-test VM_FLAVOUR=NAME`.
#
# The cache lives OUTSIDE any clone, shared by every worktree and by CI on the
# same machine:
#
#   $KSM_BPF_CACHE (default /var/cache/ksm-bpf)
#     kernels/FLAVOUR-HASH/   bzImage vmlinux config System.map build.log
#                             (HASH: sha256 of every input: the tarball's
#                             name, size and mtime, each series file and every
#                             patch it lists, each fragment, the flavour file
#                             and this script)
#     src/SRCHASH/            the unpacked, patched source (SRCHASH: tarball
#                             and patches only): flavours with the same
#                             tarball and patches (patched, kasan) share it
#     locks/                  flock files: one build of a flavour at a time,
#                             one unpack of a source tree at a time
#
# A kernel directory appears (renamed into place) only when its build is
# complete, so a reader never sees a half-built one.  LINK, if given, becomes
# a symlink to the kernel directory.  The objects are built in a scratch
# directory next to it and removed after the build.  JOBS (default nproc+1)
# sets make -j; the build runs under nice.
set -eu
# A variable given on the calling make's command line (make OUTPUT=DIR ...)
# reaches every sub-make through MAKEFLAGS, and kbuild's tools (objtool,
# resolve_btfids) then write their objects into it: the kernel build gets
# its own environment.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL OUTPUT

FLAVOUR=${1:?usage: build-kernel.sh FLAVOUR [LINK]}
LINK=${2:-}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SELF=$TOP/tests/vm/build-kernel.sh
FFILE=$TOP/tests/vm/flavours/$FLAVOUR
CACHE=${KSM_BPF_CACHE:-/var/cache/ksm-bpf}
JOBS=${JOBS:-$(($(nproc) + 1))}

log() { printf '  %-7s %s\n' "$1" "$2" >&2; }
die() { echo "build-kernel: $*" >&2; exit 1; }

[ -r "$FFILE" ] || die "no flavour '$FLAVOUR' (tests/vm/flavours/: $(ls "$TOP/tests/vm/flavours" | tr '\n' ' '))"
case $CACHE in
/*) ;;
*) die "KSM_BPF_CACHE must be an absolute path ($CACHE)" ;;
esac
case $CACHE/ in
"$TOP"/*) die "KSM_BPF_CACHE ($CACHE) is inside the clone: keep the cache outside it" ;;
esac

# ---- the flavour's inputs --------------------------------------------------
directives() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$FFILE"; }
TARBALL=$(directives | awk '$1 == "tarball" { print $2 }')
SERIES=$(directives | awk '$1 == "series" { print $2 }')
FRAGMENTS=$(directives | awk '$1 == "fragment" { print $2 }')
bad=$(directives | awk '$1 != "tarball" && $1 != "series" && $1 != "fragment"')
[ -z "$bad" ] || die "$FFILE: unknown directive: $bad"
[ "$(echo "$TARBALL" | grep -c .)" = 1 ] || die "$FFILE: needs exactly one tarball line"
[ -n "$FRAGMENTS" ] || die "$FFILE: needs at least one fragment line"
[ -r "$TARBALL" ] || die "$TARBALL missing (apt-get install $(basename "$TARBALL" .tar.xz))"

# every patch, as a path relative to TOP, in order
PATCHES=
for s in $SERIES; do
	[ -r "$TOP/$s" ] || die "$s missing"
	d=$(dirname "$s")
	for p in $(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/$s" | awk '{ print $1 }'); do
		[ -r "$TOP/$d/$p" ] || die "$d/$p (listed in $s) missing"
		PATCHES="$PATCHES $d/$p"
	done
done
for f in $FRAGMENTS; do
	[ -r "$TOP/$f" ] || die "$f missing"
done

src_inputs() {
	stat -c '%n %s %Y' "$TARBALL"
	for p in $PATCHES; do echo "$p"; cat "$TOP/$p"; done
}
SRCHASH=$(src_inputs | sha256sum | cut -c1-16)
HASH=$({
	src_inputs
	for s in $SERIES; do echo "$s"; cat "$TOP/$s"; done
	for f in $FRAGMENTS; do echo "$f"; cat "$TOP/$f"; done
	cat "$FFILE" "$SELF"
} | sha256sum | cut -c1-16)
KDIR=$CACHE/kernels/$FLAVOUR-$HASH

link() {
	[ -n "$LINK" ] || return 0
	mkdir -p "$(dirname "$LINK")"
	ln -sfn "$KDIR" "$LINK"
}

if [ -f "$KDIR/bzImage" ]; then
	log KERNEL "$FLAVOUR up to date ($KDIR)"
	link
	exit 0
fi

mkdir -p "$CACHE/kernels" "$CACHE/src" "$CACHE/locks"
# One build of a flavour at a time: a second caller waits, then finds it.
exec 9> "$CACHE/locks/$FLAVOUR.lock"
if ! flock -n 9; then
	log WAIT "another build of $FLAVOUR holds $CACHE/locks/$FLAVOUR.lock"
	flock 9
fi
if [ -f "$KDIR/bzImage" ]; then
	log KERNEL "$FLAVOUR built meanwhile ($KDIR)"
	link
	exit 0
fi

# ---- 1. the source tree (shared by the flavours with the same patches) -----
SRC=$CACHE/src/$SRCHASH
(
	exec 8> "$CACHE/locks/src-$SRCHASH.lock"
	flock 8
	[ -f "$SRC/.ksm-bpf-complete" ] && exit 0
	log UNPACK "$TARBALL -> $SRC"
	rm -rf "$SRC"
	mkdir -p "$SRC"
	tar -C "$SRC" --strip-components=1 -xf "$TARBALL"
	for p in $PATCHES; do
		log PATCH "$p"
		patch -d "$SRC" -p1 -s --no-backup-if-mismatch -i "$TOP/$p" ||
			die "$p does not apply"
	done
	touch "$SRC/.ksm-bpf-complete"
)

# ---- 2. the configuration: tinyconfig + fragments, check that all took ----
OBJ=$CACHE/kernels/.build-$FLAVOUR-$HASH
rm -rf "$OBJ"
mkdir -p "$OBJ"
log CONFIG "$FLAVOUR: tinyconfig + $(echo $FRAGMENTS)"
make -s -C "$SRC" O="$OBJ" tinyconfig >/dev/null
frags=
for f in $FRAGMENTS; do frags="$frags $TOP/$f"; done
# shellcheck disable=SC2086
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" $frags >/dev/null
make -s -C "$SRC" O="$OBJ" olddefconfig >/dev/null
for f in $frags; do
	grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' "$f"
done | while read -r line; do
	case $line in
	"# "*)	sym=${line#\# }; sym=${sym%% *}
		if grep -q "^$sym=" "$OBJ/.config"; then
			echo "build-kernel: $sym should not be set" >&2; exit 1
		fi ;;
	*)	if ! grep -qx "$line" "$OBJ/.config"; then
			echo "build-kernel: '$line' did not take" >&2; exit 1
		fi ;;
	esac
done || die "config fragments not applied (see above)"

# ---- 3. the kernel -----------------------------------------------------------
log KBUILD "$FLAVOUR: bzImage -j$JOBS (log: $OBJ/build.log)"
start=$(date +%s)
if ! nice make -C "$SRC" O="$OBJ" -j"$JOBS" bzImage > "$OBJ/build.log" 2>&1; then
	tail -n 40 "$OBJ/build.log" >&2
	die "kernel build failed (log: $OBJ/build.log)"
fi
secs=$(($(date +%s) - start))
grep -q '^CONFIG_DEBUG_INFO_BTF=y' "$OBJ/.config" && [ -s "$OBJ/vmlinux" ] ||
	die "no vmlinux with BTF"
NEW=$KDIR.tmp
rm -rf "$NEW"
mkdir -p "$NEW"
cp "$OBJ/arch/x86/boot/bzImage" "$OBJ/vmlinux" "$OBJ/System.map" "$OBJ/build.log" "$NEW/"
cp "$OBJ/.config" "$NEW/config"
{
	echo "flavour $FLAVOUR"
	echo "hash $HASH"
	echo "source $SRC"
	echo "build_seconds $secs"
	echo "jobs $JOBS"
	echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$NEW/info"
mv "$NEW" "$KDIR"
rm -rf "$OBJ"
log KBUILD "$FLAVOUR done in ${secs} s ($KDIR)"
link
