#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the VM suite guest: mount what the tests need, run the suite with
# its TAP on ttyS1 (the kernel console stays on ttyS0), power off.
/bin/busybox --install -s
export PATH=/opt/ksm-bpf/bin:/tests:/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tracefs nodev /sys/kernel/tracing
mount -t debugfs nodev /sys/kernel/debug
mount -t cgroup2 none /sys/fs/cgroup
mkdir -p /sys/fs/bpf && mount -t bpf bpf /sys/fs/bpf 2>/dev/null

args=
for w in $(cat /proc/cmdline); do
	case $w in
	vmshell=1) setsid cttyhack sh; reboot -f ;;
	only=*|backends=*|verbose=*|policy=*|sharing=*|domains=*|torture=*|seed=*|ops=*|\
	stock=*|migexec_runs=*) args="$args $w" ;;
	esac
done
echo "# guest $(uname -r) up after $(cut -d' ' -f1 /proc/uptime)s" > /dev/ttyS1
/tests/run.sh $args > /dev/ttyS1 2>&1
echo "# guest done" > /dev/ttyS1
sync
reboot -f
