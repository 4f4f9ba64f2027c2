#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Check that every prefix of the series builds, in several configurations,
# and that every patch is checkpatch --strict clean:
#
#   kernel-patch/check-series.sh [WORKDIR]     (default /tmp/ksm-bpf-check)
#
# WORKDIR/src is the tarball of tests/vm/flavours/patched, a git tree with
# the patches of kernel-patch/series applied one by one (git am).  After
# each patch, vmlinux is built (W=1, incrementally: only what the patch
# changed is rebuilt) in each configuration, `make tinyconfig` plus the
# smallest set of options under which mm/ksm.c, mm/ksm_bpf.c and what the
# series touches are all compiled (NUMA, migration, THP, swap, memory
# hot-remove, memcg, BPF):
#   bpf      CONFIG_KSM_BPF=y (and BTF, which it needs)
#   nobpf    CONFIG_KSM_BPF=n
#   noksm    CONFIG_KSM=n
#   notrace  CONFIG_KSM_BPF=y, CONFIG_TRACEPOINTS=n
# A build fails on an error or on a warning in a file of the series.  The
# series' kselftest is compiled (with libbpf) from the patch that adds it.
# Prints one line per patch and check; exit 1 if anything failed.
# The builds run under nice; JOBS (default nproc+1) sets make -j.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
W=${1:-/tmp/ksm-bpf-check}
TARBALL=$(awk '$1 == "tarball" { print $2 }' "$TOP/tests/vm/flavours/patched")
JOBS=${JOBS:-$(($(nproc) + 1))}
CONFIGS="bpf nobpf noksm notrace"
# warnings in these files fail a build
SERIES_FILES='(mm/ksm\.c|mm/ksm_bpf\.c|include/linux/ksm\.h|include/linux/ksm_bpf\.h|include/trace/events/ksm\.h)'
fail=0

mkdir -p "$W"
if [ ! -d "$W/src/.git" ]; then
	rm -rf "$W/src" && mkdir -p "$W/src"
	tar -C "$W/src" --strip-components=1 -xf "$TARBALL" || exit 1
	# Debian's tarball ignores every file (.gitignore): add them by force
	git -C "$W/src" init -q && git -C "$W/src" add -f . > /dev/null &&
		git -C "$W/src" -c user.name=check -c user.email=check@localhost \
			commit -qm base || exit 1
	git -C "$W/src" tag base
fi
git -C "$W/src" am --abort > /dev/null 2>&1
git -C "$W/src" reset -q --hard base

fragment() {	# fragment VARIANT: the options on top of tinyconfig
	cat <<-EOF
	CONFIG_64BIT=y
	CONFIG_SMP=y
	CONFIG_PRINTK=y
	CONFIG_MULTIUSER=y
	CONFIG_SYSFS=y
	CONFIG_PROC_FS=y
	CONFIG_ADVISE_SYSCALLS=y
	CONFIG_NUMA=y
	CONFIG_MIGRATION=y
	CONFIG_COMPACTION=y
	CONFIG_TRANSPARENT_HUGEPAGE=y
	CONFIG_SWAP=y
	CONFIG_MEMORY_HOTPLUG=y
	CONFIG_MEMORY_HOTREMOVE=y
	CONFIG_CGROUPS=y
	CONFIG_MEMCG=y
	CONFIG_BPF_SYSCALL=y
	CONFIG_BPF_JIT=y
	EOF
	case $1 in
	bpf|notrace)
		echo CONFIG_KSM=y
		echo CONFIG_DEBUG_INFO_DWARF5=y
		echo CONFIG_DEBUG_INFO_BTF=y
		echo CONFIG_KSM_BPF=y ;;
	nobpf)	echo CONFIG_KSM=y
		echo "# CONFIG_KSM_BPF is not set" ;;
	noksm)	echo "# CONFIG_KSM is not set" ;;
	esac
	case $1 in
	notrace) echo "# CONFIG_FTRACE is not set" ;;
	*)	echo CONFIG_FTRACE=y
		echo CONFIG_FUNCTION_TRACER=y ;;
	esac
}

# what each variant must have: KSM KSM_BPF TRACEPOINTS (no KSM_BPF before
# the patch that adds the option)
want() {
	b=n
	grep -q '^config KSM_BPF$' "$W/src/mm/Kconfig" && b=y
	case $1 in
	bpf) echo "y $b y" ;;
	nobpf) echo "y n y" ;;
	noksm) echo "n n y" ;;
	notrace) echo "y $b n" ;;
	esac
}

sym() { v=$(sed -n "s/^CONFIG_$1=//p" "$2"); echo "${v:-n}"; }

config() {	# config VARIANT: WORKDIR/obj-VARIANT/.config
	o=$W/obj-$1
	rm -rf "$o" && mkdir -p "$o"
	make -s -C "$W/src" O="$o" tinyconfig > /dev/null
	fragment "$1" > "$o/frag"
	"$W/src/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "$o/frag" > /dev/null
	make -s -C "$W/src" O="$o" olddefconfig > /dev/null
}

# build VARIANT PATCH: vmlinux, W=1; a line of result
build() {
	o=$W/obj-$1
	# again after each patch: an option the series adds takes its value
	"$W/src/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "$o/frag" > /dev/null 2>&1
	make -s -C "$W/src" O="$o" olddefconfig > /dev/null 2>&1
	got="$(sym KSM "$o/.config") $(sym KSM_BPF "$o/.config") $(sym TRACEPOINTS "$o/.config")"
	what="KSM=$(echo "$got" | cut -d' ' -f1) KSM_BPF=$(echo "$got" | cut -d' ' -f2) TRACEPOINTS=$(echo "$got" | cut -d' ' -f3)"
	if [ "$got" != "$(want "$1")" ]; then
		echo "$2: $1 ($what): FAILED: the configuration did not take"
		fail=1
		return
	fi
	start=$(date +%s)
	if nice make -C "$W/src" O="$o" -j"$JOBS" W=1 vmlinux > "$o/build.log" 2>&1; then
		warn=$(grep -E "$SERIES_FILES:[0-9]+:[0-9]+: warning:" "$o/build.log" | sort -u)
		if [ -z "$warn" ]; then
			echo "$2: $1 ($what): vmlinux builds, no warning in the series' files ($(($(date +%s) - start)) s)"
			return
		fi
		echo "$2: $1 ($what): FAILED: warnings"
		echo "$warn" | head -n 5 | sed 's/^/    /'
	else
		echo "$2: $1 ($what): FAILED: build error"
		grep -E 'error|Error' "$o/build.log" | head -n 5 | sed 's/^/    /'
	fi
	fail=1
}

# the kselftest of the series, once a patch has added it
selftest() {
	mm=$W/src/tools/testing/selftests/mm
	[ -e "$mm/ksm_bpf_ops.c" ] || return 0
	t=$W/selftest
	rm -rf "$t" && mkdir -p "$t"
	cp "$mm/check_config.sh" "$t/"
	(cd "$t" && sh ./check_config.sh gcc > /dev/null)
	if gcc -O2 -Wall -Wextra -I "$t" -isystem "$W/src/tools/include/uapi" \
		-o "$t/ksm_bpf_ops" "$mm/ksm_bpf_ops.c" -lbpf > "$t/log" 2>&1 && [ ! -s "$t/log" ]; then
		echo "$1: selftests/mm/ksm_bpf_ops: builds, no warning"
	else
		echo "$1: selftests/mm/ksm_bpf_ops: FAILED"
		head -n 5 "$t/log" | sed 's/^/    /'
		fail=1
	fi
}

for v in $CONFIGS; do config "$v"; done
for p in $(grep -v '^#' "$TOP/kernel-patch/series"); do
	git -C "$W/src" am -q "$TOP/kernel-patch/$p" || { echo "$p: does not apply"; exit 1; }
	# FILE_PATH_CHANGES ("does MAINTAINERS need updating?") is raised by any
	# new file: the one the series adds outside mm/ (the kselftest) is in
	# tools/testing/selftests/mm/, which MEMORY MANAGEMENT lists already.
	cp=$("$W/src/scripts/checkpatch.pl" --strict -q --no-signoff --ignore FILE_PATH_CHANGES \
		"$TOP/kernel-patch/$p" 2>/dev/null |
		sed -n 's/^total: //p')
	echo "$p: checkpatch --strict: ${cp:-0 errors, 0 warnings, 0 checks}"
	echo "${cp:-}" | grep -qE '^[1-9][0-9]* errors|, [1-9][0-9]* warnings' && fail=1
	for v in $CONFIGS; do build "$v" "$p"; done
	selftest "$p"
done
exit $fail
