#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boot the guest under QEMU (TCG), run the suite, print its TAP, and check
# the kernel console log for splats.
#
#   run-vm.sh BZIMAGE INITRD VM_DIR [guest args...]
#
# ttyS0 carries the kernel console (VM_DIR/console.log), ttyS1 the TAP
# stream of the guest runner (VM_DIR/tap.log), so kernel messages never
# interleave with the results.  Exit status: 0 if every test passed and the
# console is clean.
set -u
BZIMAGE=$1
INITRD=$2
VM_DIR=$3
shift 3
TIMEOUT=${VM_TIMEOUT:-900}
CONSOLE=$VM_DIR/console.log
TAP=$VM_DIR/tap.log

[ -r "$BZIMAGE" ] || { echo "run-vm: $BZIMAGE missing (make vm-kernel)" >&2; exit 1; }
[ -r "$INITRD" ] || { echo "run-vm: $INITRD missing (make vm-initrd)" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "run-vm: qemu-system-x86_64 missing (apt-get install qemu-system-x86)" >&2; exit 1; }

# no_hash_pointers: without entropy the guest prints every %p as
# (____ptrval____), and the suite follows stable nodes by address
# slab_nomerge: the ksm caches keep their own names and object sizes in
# /sys/kernel/slab (the zero-cost check reads them)
append="console=ttyS0 panic=-1 numa=fake=2 oops=panic no_hash_pointers slab_nomerge $*"

if [ "${VM_SHELL:-0}" = 1 ]; then
	exec qemu-system-x86_64 -machine mem-merge=off -m "${VM_MEM:-1G}" -smp "${VM_SMP:-2}" \
		-nographic -no-reboot -kernel "$BZIMAGE" -initrd "$INITRD" \
		-append "$append vmshell=1"
fi

mkdir -p "$VM_DIR"
rm -f "$CONSOLE" "$TAP"
start=$(date +%s)
# mem-merge=off: QEMU marks guest RAM MADV_MERGEABLE by default, and the
# host's ksmd (turned on by a host test running beside us) would merge it and
# move the host's global KSM counters under that test.
# VM_QEMU_ARGS: more options (bench-ksmd.sh's -icount), split on spaces.
# shellcheck disable=SC2086
timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 ${VM_QEMU_ARGS:-} \
	-machine mem-merge=off \
	-m "${VM_MEM:-1G}" -smp "${VM_SMP:-2}" -no-reboot \
	-display none -monitor none \
	-serial file:"$CONSOLE" -serial file:"$TAP" \
	-kernel "$BZIMAGE" -initrd "$INITRD" -append "$append" </dev/null
qrc=$?
elapsed=$(($(date +%s) - start))
touch "$CONSOLE" "$TAP"

# The guest's own TAP, then the host's checks as extra tests.
# (and no NUL: a guest that prints one must not turn the log binary to grep)
tr -d '\r\000' < "$TAP" > "$TAP.clean"
grep -aE '^(ok|not ok|#|1\.\.)' "$TAP.clean" | grep -v '^1\.\.'
n=$(grep -acE '^(ok|not ok) ' "$TAP.clean")
pass=$(grep -aE '^ok ' "$TAP.clean" | grep -vc '# SKIP')
skip=$(grep -aE '^ok ' "$TAP.clean" | grep -c '# SKIP')
fail=$(grep -acE '^not ok ' "$TAP.clean")

n=$((n + 1))
if grep -aq '^# guest done' "$TAP.clean"; then
	echo "ok $n - guest suite ran to completion (${elapsed}s)"
	pass=$((pass + 1))
elif [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	echo "not ok $n - guest suite ran to completion # timeout after ${TIMEOUT}s, see $CONSOLE"
	fail=$((fail + 1))
else
	echo "not ok $n - guest suite ran to completion # qemu exit $qrc, see $CONSOLE"
	fail=$((fail + 1))
fi

n=$((n + 1))
splat='(WARNING:|BUG:|Oops|Kernel panic|general protection fault|Call Trace:|possible circular locking|possible recursive locking|inconsistent lock state|INFO: task .* blocked|rcu_sched self-detected stall|RCU stall)'
# VM_SPLAT_ALLOW: console lines known harmless on this flavour, by name (vm.mk)
allow=${VM_SPLAT_ALLOW:-^$}
if grep -E "$splat" "$CONSOLE" | grep -qvE "$allow"; then
	echo "not ok $n - no kernel splat in the guest console # see $CONSOLE"
	grep -nE "$splat" "$CONSOLE" | grep -vE "$allow" | head -n 20 | sed 's/^/#   /'
	fail=$((fail + 1))
else
	echo "ok $n - no kernel splat in the guest console"
	grep -nE "$splat" "$CONSOLE" | sed 's/^/#   allowed: /'
	pass=$((pass + 1))
fi
echo "1..$n"
echo "vm: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
