# SPDX-License-Identifier: GPL-2.0
#
# The VM suite: the kernel-patch/ series on Linux 6.12 in QEMU (TCG).
# Included by the top-level Makefile; also works standalone:
#   make -f tests/vm/vm.mk vm-test
#
#   vm-kernel   unpack /usr/src/linux-source-6.12.tar.xz, apply the series
#               and the test-only kernel-patch/testing/series (debugfs knobs
#               under ksm_test/, off by default), tinyconfig +
#               kernel-patch/config.fragment, build bzImage with BTF (cached:
#               rebuilt only when a series, a patch or the fragment changes)
#   vm-initrd   busybox, the guest suite and $(OUTPUT)/bin/* in an initramfs
#   vm-test     boot the guest, run the suite, print TAP; fails on any failed
#               test and on any WARN/BUG/Oops/lockdep splat in the console
#   vm-bench    only the policy benchmark (hook ns/call, ksmd throughput),
#               with the guest TSC calibrated from the host's
#   vm-shell    boot the same guest with an interactive shell
#   vm-clean    remove $(OUTPUT)/vm (the kernel build cache too)

VM_TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
OUTPUT ?= build/
V ?= 0
ifeq ($(V),1)
Q ?=
else
Q ?= @
endif

VM_DIR := $(abspath $(OUTPUT))/vm
VM_TARBALL ?= /usr/src/linux-source-6.12.tar.xz
VM_PATCH_DIR := $(VM_TOP)/kernel-patch
VM_TESTS := $(VM_TOP)/tests/vm
VM_BZIMAGE := $(VM_DIR)/obj/arch/x86/boot/bzImage
VM_INITRD := $(VM_DIR)/initrd.gz
VM_BIN := $(abspath $(OUTPUT))/bin
VM_TIMEOUT ?= 900
VM_MEM ?= 1G
VM_SMP ?= 2
# extra words for the guest runner, e.g. VM_ARGS="only=migrate"
VM_ARGS ?=
VM_CC ?= gcc
VM_CFLAGS ?= -O2 -g -Wall -Wextra -static

VM_GUEST_SRCS := $(wildcard $(VM_TESTS)/guest/*.c)
VM_GUEST_BINS := $(patsubst $(VM_TESTS)/guest/%.c,$(VM_DIR)/guest/%,$(VM_GUEST_SRCS))
VM_GUEST_SCRIPTS := $(wildcard $(VM_TESTS)/guest/*.sh) $(wildcard $(VM_TESTS)/guest/*.awk)

.PHONY: vm-kernel vm-initrd vm-test vm-bench vm-shell vm-clean

# The kernel build script keeps its own stamp (hash of the series, the
# patches and the fragment), so it is always called and returns at once
# when nothing changed.
vm-kernel:
	$(Q)JOBS=$(VM_JOBS) $(VM_TESTS)/build-kernel.sh $(VM_DIR) $(VM_TARBALL) $(VM_PATCH_DIR)

VM_JOBS ?= $(shell echo $$(($$(nproc) + 1)))

$(VM_DIR)/guest/%: $(VM_TESTS)/guest/%.c $(VM_TESTS)/guest/guest.h
	$(Q)mkdir -p $(@D)
	$(if $(Q),@printf '  %-7s %s\n' CC $(notdir $@))
	$(Q)$(VM_CC) $(VM_CFLAGS) -o $@ $<

# Always repacked: cheap, and picks up new tools in $(OUTPUT)/bin.
vm-initrd: $(VM_GUEST_BINS)
	$(if $(Q),@printf '  %-7s %s\n' INITRD $(VM_INITRD))
	$(Q)$(VM_TESTS)/mkinitrd.sh $(VM_DIR) $(VM_TESTS)/guest $(VM_BIN) $(VM_INITRD)

vm-test: vm-kernel vm-initrd
	$(Q)VM_TIMEOUT=$(VM_TIMEOUT) VM_MEM=$(VM_MEM) VM_SMP=$(VM_SMP) \
		$(VM_TESTS)/run-vm.sh $(VM_BZIMAGE) $(VM_INITRD) $(VM_DIR) $(VM_ARGS)

# The policy benchmark alone, with the guest's TSC calibrated from the host's
# (the tiny guest cannot calibrate it: without it sched_clock, hence the BPF
# run_time_ns, ticks in jiffies).  TCG runs guest rdtsc at the host's rate.
VM_TSC_KHZ ?= $(shell awk '/^cpu MHz/ { printf "%d", $$4 * 1000; exit }' /proc/cpuinfo)
vm-bench: vm-kernel vm-initrd
	$(Q)VM_TIMEOUT=$(VM_TIMEOUT) VM_MEM=$(VM_MEM) VM_SMP=$(VM_SMP) \
		$(VM_TESTS)/run-vm.sh $(VM_BZIMAGE) $(VM_INITRD) $(VM_DIR) only= policy=bench \
		$(if $(VM_TSC_KHZ),tsc_early_khz=$(VM_TSC_KHZ) tsc=reliable) $(VM_ARGS)

vm-shell: vm-kernel vm-initrd
	$(Q)VM_MEM=$(VM_MEM) VM_SMP=$(VM_SMP) VM_SHELL=1 \
		$(VM_TESTS)/run-vm.sh $(VM_BZIMAGE) $(VM_INITRD) $(VM_DIR) $(VM_ARGS)

vm-clean:
	$(Q)rm -rf $(VM_DIR)
