# SPDX-License-Identifier: GPL-2.0
#
# The VM suite: guest kernels in QEMU (TCG).  Included by the top-level
# Makefile; also works standalone: make -f tests/vm/vm.mk vm-test
#
# A guest kernel is a FLAVOUR, a file in tests/vm/flavours/ (tarball, patch
# series, config fragments; format at the top of tests/vm/build-kernel.sh).
# Kernels are built once per set of inputs and cached outside the clone, in
# $(KSM_BPF_CACHE) (default /var/cache/ksm-bpf), shared by every worktree
# and by CI on the same machine; a lock serializes two builds of a flavour.
#
#   make vm-kernel [VM_FLAVOUR=patched]      build (or find) that kernel
#   make vm-kernels                          every flavour make check uses
#                                            ($(VM_CHECK_FLAVOURS))
#   make vm-test [VM_FLAVOUR=patched] [VM_ARGS="only=migrate seed=42"]
#                boot it, run the guest suite (tests/vm/guest/run.sh), print
#                TAP; fails on any failed test and on any splat
#   make vm-test-stock  vm-test on each unpatched flavour ($(VM_STOCK_FLAVOURS))
#   make vm-test-kasan [VM_ARGS=...]         the torture scenario on the KASAN
#                                            flavour (VM_FLAVOUR=kasan)
#   make vm-bench       only the policy benchmark, guest TSC calibrated
#   make vm-bench-ksmd  ksmd throughput, CONFIG_KSM_BPF=y (no policy) vs =n,
#                       booting the patched and nobpf flavours in turn
#   make vm-shell       the same guest with an interactive shell
#   make vm-clean       remove $(OUTPUT)/vm (never the shared cache)
#
# Adding a kernel (e.g. a stock Debian 6.1): add tests/vm/flavours/NAME,
# then `make vm-test VM_FLAVOUR=NAME`; add NAME to VM_STOCK_FLAVOURS (an
# unpatched kernel: make check runs it through vm-test-stock) or to
# VM_CHECK_FLAVOURS and a vm-test run of it to check.

VM_TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
OUTPUT ?= build/
V ?= 0
ifeq ($(V),1)
Q ?=
else
Q ?= @
endif

VM_DIR := $(abspath $(OUTPUT))/vm
VM_TESTS := $(VM_TOP)/tests/vm
VM_FLAVOUR ?= patched
# the kernel matrix: unpatched Debian kernels (tests/vm/guest/stock.sh)
VM_STOCK_FLAVOURS ?= stock-6.1 stock-6.12
VM_CHECK_FLAVOURS ?= patched $(VM_STOCK_FLAVOURS)
KSM_BPF_CACHE ?= /var/cache/ksm-bpf
export KSM_BPF_CACHE
# build/vm/kernel-FLAVOUR -> the kernel's directory in the cache
VM_KLINK = $(VM_DIR)/kernel-$(1)
VM_BZIMAGE = $(call VM_KLINK,$(VM_FLAVOUR))/bzImage
VM_INITRD := $(VM_DIR)/initrd.gz
VM_BIN := $(abspath $(OUTPUT))/bin
VM_TIMEOUT ?= 2400
VM_MEM ?= 1G
VM_SMP ?= 2
# extra words for the guest runner, e.g. VM_ARGS="only=migrate"
VM_ARGS ?=
# extra options for QEMU (bench-ksmd.sh: -icount)
VM_QEMU_ARGS ?=
# where a run leaves its console and TAP logs: a run of its own (the
# benchmark) must not share a directory with a suite running beside it
VM_RUN_DIR ?= $(VM_DIR)/$(VM_FLAVOUR)
VM_CC ?= gcc
VM_CFLAGS ?= -O2 -g -Wall -Wextra -static

VM_GUEST_SRCS := $(filter-out %.bpf.c,$(wildcard $(VM_TESTS)/guest/*.c))
VM_GUEST_BINS := $(patsubst $(VM_TESTS)/guest/%.c,$(VM_DIR)/guest/%,$(VM_GUEST_SRCS))
# the suite's own ksm_bpf_ops test policies (trusted arguments, kfunc filter)
VM_GUEST_BPF := $(patsubst $(VM_TESTS)/guest/%.bpf.c,$(VM_DIR)/guest/%.bpf.o,\
	$(wildcard $(VM_TESTS)/guest/*.bpf.c))
VM_CLANG ?= clang

.PHONY: vm-kernel vm-kernels vm-kselftest vm-initrd vm-test vm-test-stock vm-test-kasan vm-bench \
	vm-bench-ksmd vm-shell vm-clean

# build-kernel.sh hashes every input and returns at once when the cached
# kernel is current, so it is always called.
VM_JOBS ?= $(shell echo $$(($$(nproc) + 1)))
vm-kernel:
	$(Q)JOBS=$(VM_JOBS) $(VM_TESTS)/build-kernel.sh $(VM_FLAVOUR) $(call VM_KLINK,$(VM_FLAVOUR))

vm-kernels:
	$(Q)for f in $(VM_CHECK_FLAVOURS); do \
		JOBS=$(VM_JOBS) $(VM_TESTS)/build-kernel.sh $$f $(call VM_KLINK,$$f) || exit 1; \
	done

# ksmlink drives ksm_bpf_ops links by hand (libbpf)
$(VM_DIR)/guest/ksmlink: VM_LDLIBS := -lbpf -lelf -lz
$(VM_DIR)/guest/%: $(VM_TESTS)/guest/%.c $(VM_TESTS)/guest/guest.h
	$(Q)mkdir -p $(@D)
	$(if $(Q),@printf '  %-7s %s\n' CC $(notdir $@))
	$(Q)$(VM_CC) $(VM_CFLAGS) -o $@ $< $(VM_LDLIBS) 2> $@.log || { cat $@.log; exit 1; }

$(VM_DIR)/guest/%.bpf.o: $(VM_TESTS)/guest/%.bpf.c $(VM_TESTS)/guest/pol_common.bpf.h \
		$(VM_TOP)/include/ksm_bpf_ops.h
	$(Q)mkdir -p $(@D)
	$(if $(Q),@printf '  %-7s %s\n' BPF $(notdir $@))
	$(Q)$(VM_CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(VM_TOP)/vmlinux/x86 -I$(VM_TOP)/include \
		-c $< -o $@

# The series' kselftest (tools/testing/selftests/mm/ksm_bpf_ops.c), built
# from the source tree of the patched flavour when it has been built
VM_KSELFTEST_KERNEL ?= patched
vm-kselftest:
	$(Q)$(VM_TESTS)/build-kselftest.sh $(call VM_KLINK,$(VM_KSELFTEST_KERNEL)) $(VM_DIR)/guest/ksm_bpf_ops

# Always repacked: cheap, and picks up new tools in $(OUTPUT)/bin.
vm-initrd: $(VM_GUEST_BINS) $(VM_GUEST_BPF) vm-kselftest
	$(if $(Q),@printf '  %-7s %s\n' INITRD $(VM_INITRD))
	$(Q)$(VM_TESTS)/mkinitrd.sh $(VM_DIR) $(VM_TESTS)/guest $(VM_BIN) $(VM_INITRD)

# Console lines a flavour prints harmlessly, allowed by name (an ERE): 6.1
# warns once at boot that fake NUMA nodes hold fewer CPUs than possible
# (wq_numa_init), a message without a trace that later kernels dropped.
VM_SPLAT_ALLOW_stock-6.1 := WARNING: workqueue cpumask: online intersect > possible intersect
vm-test: vm-kernel vm-initrd
	$(Q)VM_TIMEOUT=$(VM_TIMEOUT) VM_MEM=$(VM_MEM) VM_SMP=$(VM_SMP) \
		VM_SPLAT_ALLOW='$(VM_SPLAT_ALLOW_$(VM_FLAVOUR))' VM_QEMU_ARGS='$(VM_QEMU_ARGS)' \
		$(VM_TESTS)/run-vm.sh $(VM_BZIMAGE) $(VM_INITRD) $(VM_RUN_DIR) $(VM_ARGS)

# make check: the suite on each unpatched flavour of the matrix, in turn
vm-test-stock:
	$(Q)fail=0; for f in $(VM_STOCK_FLAVOURS); do \
		$(MAKE) --no-print-directory -f $(VM_TOP)/tests/vm/vm.mk OUTPUT=$(OUTPUT) \
			VM_FLAVOUR=$$f vm-test || fail=1; \
	done; exit $$fail

# The KASAN guest runs the torture scenario (and nothing else by default).
VM_KASAN_ARGS ?= only= policy= domains=repro torture=1
vm-test-kasan:
	$(Q)$(MAKE) --no-print-directory -f $(VM_TOP)/tests/vm/vm.mk OUTPUT=$(OUTPUT) \
		VM_FLAVOUR=kasan VM_ARGS="$(VM_KASAN_ARGS) $(VM_ARGS)" vm-test

# The policy benchmark alone, with the guest's TSC calibrated from the host's
# (the tiny guest cannot calibrate it: without it sched_clock, hence the BPF
# run_time_ns, ticks in jiffies).  TCG runs guest rdtsc at the host's rate.
VM_TSC_KHZ ?= $(shell awk '/^cpu MHz/ { printf "%d", $$4 * 1000; exit }' /proc/cpuinfo)
vm-bench: vm-kernel vm-initrd
	$(Q)VM_TIMEOUT=$(VM_TIMEOUT) VM_MEM=$(VM_MEM) VM_SMP=$(VM_SMP) \
		$(VM_TESTS)/run-vm.sh $(VM_BZIMAGE) $(VM_INITRD) $(VM_RUN_DIR) only= policy=bench \
		$(if $(VM_TSC_KHZ),tsc_early_khz=$(VM_TSC_KHZ) tsc=reliable) $(VM_ARGS)

# ksmd throughput with CONFIG_KSM_BPF and no policy vs without the option
VM_BENCH_PAIRS ?= 3
vm-bench-ksmd:
	$(Q)$(VM_TESTS)/bench-ksmd.sh $(VM_BENCH_PAIRS)

vm-shell: vm-kernel vm-initrd
	$(Q)VM_MEM=$(VM_MEM) VM_SMP=$(VM_SMP) VM_SHELL=1 \
		$(VM_TESTS)/run-vm.sh $(VM_BZIMAGE) $(VM_INITRD) $(VM_RUN_DIR) $(VM_ARGS)

vm-clean:
	$(Q)rm -rf $(VM_DIR)
