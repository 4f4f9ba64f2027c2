# SPDX-License-Identifier: GPL-2.0
# ksm-bpf: one entry point. `make help` lists the targets.

OUTPUT ?= build
BIN := $(OUTPUT)/bin
ARCH ?= x86
PREFIX ?= /usr/local
DESTDIR ?=

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
VMLINUX_BTF ?=

# Quiet by default; V=1 shows the commands.
ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# The shipped vmlinux.h; VMLINUX_BTF=/path regenerates it from another kernel.
VMLINUX_H := vmlinux/$(ARCH)/vmlinux.h

CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	  -std=gnu11 -D_GNU_SOURCE -Iinclude -Itools/lib -I$(OUTPUT)
# Static binaries: no run-time library dependency, they drop into the VM's
# initramfs as they are, and start faster.
LDFLAGS ?= -static
LDLIBS := -lbpf -lelf -lz -ljansson -lm

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Iinclude -Ivmlinux/$(ARCH) \
	      -Wall -Wno-unused-function

LIB_SRCS := $(wildcard tools/lib/*.c)
LIB_OBJS := $(patsubst tools/lib/%.c,$(OUTPUT)/lib/%.o,$(LIB_SRCS))
LIBKSM := $(OUTPUT)/libksm.a

# The event source is built in variants, one light skeleton each (see the
# top of bpf/ksm_events.bpf.c): s = stock tracepoints, a = ksm_advisor,
# p = kernel-patch/ tracepoints, f = fentry/fexit fallbacks.
EV_VARIANTS := s sa sp sap sf saf
ev_flags = $(if $(findstring a,$(1)),-DKSM_WITH_ADVISOR) \
	   $(if $(findstring p,$(1)),-DKSM_WITH_PATCHED) \
	   $(if $(findstring f,$(1)),-DKSM_WITH_FENTRY)
EV_LSKELS := $(foreach v,$(EV_VARIANTS),$(OUTPUT)/ksm_events_$(v).lskel.h)

# Other BPF objects get ordinary libbpf skeletons.
BPF_SRCS := $(filter-out bpf/ksm_events.bpf.c,$(wildcard bpf/*.bpf.c))
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS)) $(EV_LSKELS)

# Example ksm_bpf_ops policies for `ksmpolicy load` (objects, not skeletons).
EXAMPLE_SRCS := $(wildcard examples/*.bpf.c)
EXAMPLE_OBJS := $(patsubst examples/%.bpf.c,$(OUTPUT)/examples/%.bpf.o,$(EXAMPLE_SRCS))

# Commands users install (every tools/*.c), and helpers used by the demo,
# tests and bench (built, never installed).
HELPERS := ksmload ksmctl
TOOLS := $(filter-out $(HELPERS),$(patsubst tools/%.c,%,$(wildcard tools/*.c)))
ALL_BINS := $(addprefix $(BIN)/,$(TOOLS) $(HELPERS))

# ksmtop serves /metrics with libmicrohttpd, whose static build drags in
# gnutls: link it dynamically.
$(BIN)/ksmtop: LDFLAGS :=
$(BIN)/ksmtop: LDLIBS += -lncursesw -ltinfo -lmicrohttpd

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/unit/%,$(UNIT_SRCS))

# Debian packages every target needs (deps installs them).
DEPS := clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libjansson-dev \
	libcmocka-dev libncurses-dev libmicrohttpd-dev pkg-config make gcc \
	linux-source-6.12 dwarves qemu-system-x86 busybox-static cpio flex bison bc \
	libssl-dev kmod xz-utils bpftrace prometheus tmux perl procps util-linux python3 \
	curl chromium fonts-liberation

.PHONY: all deps check unit host-test demo bench install clean help vmlinux format
.DEFAULT_GOAL := all

all: $(ALL_BINS) $(EXAMPLE_OBJS)

help:
	@echo "targets: deps all check unit host-test vm-test demo bench install clean vmlinux"
	@echo "options: V=1 OUTPUT=dir PREFIX=/usr/local DESTDIR= VMLINUX_BTF=/sys/kernel/btf/vmlinux"

deps:
	@missing=$$(for p in $(DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all installed"; fi

vmlinux:
ifneq ($(VMLINUX_BTF),)
	$(call msg,GEN,$(VMLINUX_H))
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $(VMLINUX_H)
else
	@echo "set VMLINUX_BTF=/sys/kernel/btf/vmlinux (or another kernel's BTF)"; exit 1
endif

$(OUTPUT) $(OUTPUT)/lib $(OUTPUT)/bpf $(BIN) $(OUTPUT)/unit $(OUTPUT)/obj $(OUTPUT)/examples:
	$(Q)mkdir -p $@

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard include/*.h bpf/*.h) $(VMLINUX_H) | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)llvm-strip -g $@.tmp -o $@ && rm -f $@.tmp

$(OUTPUT)/examples/%.bpf.o: examples/%.bpf.c bpf/ksm_bpf_ops.h $(VMLINUX_H) | $(OUTPUT)/examples
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Ibpf -c $< -o $@.tmp
	$(Q)llvm-strip -g $@.tmp -o $@ && rm -f $@.tmp

$(OUTPUT)/%.skel.h: $(OUTPUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/bpf/ksm_events_%.bpf.o: bpf/ksm_events.bpf.c include/ksm_event.h $(VMLINUX_H) \
		| $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(call ev_flags,$*) -c $< -o $@.tmp
	$(Q)llvm-strip -g $@.tmp -o $@ && rm -f $@.tmp

$(OUTPUT)/ksm_events_%.lskel.h: $(OUTPUT)/bpf/ksm_events_%.bpf.o
	$(call msg,GEN-LSKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton -L $< name ksm_events_$* > $@

$(OUTPUT)/lib/%.o: tools/lib/%.c $(wildcard tools/lib/*.h) include/ksm_event.h $(SKELS) \
		| $(OUTPUT)/lib
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIBKSM): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/obj/%.o: tools/%.c $(wildcard tools/lib/*.h) include/ksm_event.h $(SKELS) \
		| $(OUTPUT)/obj
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BIN)/%: $(OUTPUT)/obj/%.o $(LIBKSM) | $(BIN)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $< $(LIBKSM) $(LDLIBS) -o $@

# Unit tests: cmocka, no BPF, no root needed.
$(OUTPUT)/unit/%: tests/unit/%.c $(LIBKSM) | $(OUTPUT)/unit
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(LIBKSM) -ljansson -lcmocka -lm -o $@

unit: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do $$t || fail=1; done; exit $$fail

# Host tests: real KSM on the running kernel (root), TAP under prove.
host-test: all
	$(Q)BIN=$(abspath $(BIN)) prove -v tests/host/*.t

# Everything: unit, host, then the patched kernel in QEMU.
check: deps all unit host-test vm-test

demo: deps all
	$(Q)BIN=$(abspath $(BIN)) tests/demo.sh

bench: deps all
	$(Q)BIN=$(abspath $(BIN)) tests/bench/run.sh

install: all
	$(Q)install -d $(DESTDIR)$(PREFIX)/sbin
	$(Q)install -m 0755 $(addprefix $(BIN)/,$(TOOLS)) $(DESTDIR)$(PREFIX)/sbin/

format:
	$(Q)clang-format -i bpf/*.c include/*.h tools/*.c tools/lib/*.[ch] tests/unit/*.c

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)

-include tests/vm/vm.mk

.DELETE_ON_ERROR:
.SECONDARY:
