# SPDX-License-Identifier: GPL-2.0
# ksm-bpf: one entry point. `make help` lists the targets.

ARCH ?= x86
PREFIX ?= /usr/local
DESTDIR ?=

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
VMLINUX_BTF ?=

# make SANITIZE=address,undefined: every tool and unit test with ASan and
# UBSan, dynamically linked (the sanitizer runtimes do not link statically),
# in an output tree of its own so that it never mixes with the normal build.
ifneq ($(SANITIZE),)
OUTPUT ?= build/sanitize
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
OUTPUT ?= build
SAN_FLAGS :=
endif
BIN := $(OUTPUT)/bin

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

# Our flags are kept apart from CFLAGS and LDFLAGS: `make CFLAGS=...` changes
# optimisation and warnings, never the include paths or the libraries; CPPFLAGS
# (e.g. dpkg-buildflags' -D_FORTIFY_SOURCE) is passed as well.
CFLAGS ?= -O2 -g
LDFLAGS ?=
KSM_CPPFLAGS = -std=gnu11 -D_GNU_SOURCE -Iinclude -Ilib -I$(OUTPUT) -MMD -MP
KSM_CFLAGS := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers $(SAN_FLAGS)
# Static binaries: no run-time library dependency, they drop into the VM's
# initramfs as they are, and start faster.
KSM_LDFLAGS := $(if $(SAN_FLAGS),$(SAN_FLAGS),-static)
LDLIBS := -lbpf -lelf -lz -ljansson -lm
COMPILE = $(CC) $(KSM_CPPFLAGS) $(CPPFLAGS) $(KSM_CFLAGS) $(CFLAGS)

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Iinclude -Ivmlinux/$(ARCH) \
	      -Wall -Wno-unused-function

# lib/: libksm.a, what two or more commands share.
LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(patsubst %.c,$(OUTPUT)/obj/%.o,$(LIB_SRCS))
LIBKSM := $(OUTPUT)/libksm.a

# The event source is built in variants, one light skeleton each (see the
# top of bpf/ksm_events.bpf.c), a letter per probe group: s = stock
# tracepoints, a = ksm_advisor, p = kernel-patch/ tracepoints, f = fentry
# stand-ins for those, e and k = fentry and kprobe stand-ins for the stock
# tracepoints (kernels before 6.4), m = the stock migrate tracepoints (any
# of the others, with or without them), b = the series' CONFIG_KSM_BPF=y
# tracepoints (only with s, a and p: the chooser brings those in with it).
# lib/event_source.c loads the variant with the most groups the kernel has,
# and drops groups the kernel refuses.
EV_VARIANTS := s sa sp sap sf saf e k sm sam spm sapm sfm safm em km sapb sapmb
ev_letters := s:STOCK a:ADVISOR p:PATCHED f:FENTRY e:STOCK_FENTRY k:STOCK_KPROBE m:MIGRATE \
	      b:POLICY
ev_has = $(findstring $(1),$(2))
ev_flags = $(strip $(foreach l,$(ev_letters),$(if $(call ev_has,$(word 1,$(subst :, ,$(l))),$(1)),\
	   -DKSM_WITH_$(word 2,$(subst :, ,$(l))))))
EV_LSKELS := $(foreach v,$(EV_VARIANTS),$(OUTPUT)/ksm_events_$(v).lskel.h)
# lib/event_source.c learns the variants from a header made from this list.
ev_groups = 0$(strip $(foreach l,$(ev_letters),$(if $(call ev_has,$(word 1,$(subst :, ,$(l))),$(1)),\
	    | KSM_GRP_$(word 2,$(subst :, ,$(l))))))
EV_VARIANTS_H := $(OUTPUT)/ksm_events_variants.h

# Other BPF objects get ordinary libbpf skeletons.
BPF_SRCS := $(filter-out bpf/ksm_events.bpf.c,$(wildcard bpf/*.bpf.c))
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
BPF_HDRS := $(wildcard include/*.h bpf/*.h)

# Example ksm_bpf_ops policies for `ksmpolicy load` (objects, not skeletons).
EXAMPLE_SRCS := $(wildcard examples/*.bpf.c)
EXAMPLE_OBJS := $(patsubst examples/%.bpf.c,$(OUTPUT)/examples/%.bpf.o,$(EXAMPLE_SRCS))

# One folder per command: tools/CMD/CMD.c holds main(), the folder's other
# files are the command's own modules, archived in $(OUTPUT)/CMD.a, which
# the command and its unit tests link.  The helpers of the demo, the tests
# and the bench (tests/helpers/, built, never installed) share one folder,
# so each names its modules.
TOOLS := $(notdir $(wildcard tools/*))
HELPERS := ksmload ksmctl
HELPER_MODS_ksmctl := tests/helpers/ksm_settings.c
HELPER_MODS_ksmload :=
ALL_BINS := $(addprefix $(BIN)/,$(TOOLS) $(HELPERS))

define command_rules
$(1)_MAIN := $(2)/$(1).c
$(1)_MODS := $(3)
$(1)_OBJS := $$(patsubst %.c,$(OUTPUT)/obj/%.o,$$($(1)_MODS))
$(OUTPUT)/$(1).a: $$($(1)_OBJS)
	$$(call msg,AR,$$@)
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
$(BIN)/$(1): $(OUTPUT)/obj/$(2)/$(1).o $(OUTPUT)/$(1).a $(LIBKSM) | $(BIN)
	$$(call msg,LINK,$$@)
	$$(Q)$$(CC) $$(KSM_LDFLAGS_$(1)) $$(LDFLAGS) $$^ $$(LDLIBS) $$(LDLIBS_$(1)) -o $$@
KSM_LDFLAGS_$(1) ?= $$(KSM_LDFLAGS)
endef
$(foreach t,$(TOOLS),$(eval $(call command_rules,$(t),tools/$(t),\
	$(filter-out tools/$(t)/$(t).c,$(wildcard tools/$(t)/*.c)))))
$(foreach t,$(HELPERS),$(eval $(call command_rules,$(t),tests/helpers,$(HELPER_MODS_$(t)))))

# ksmtop serves /metrics with libmicrohttpd, whose static build drags in
# gnutls: link it dynamically. --web.config.file: libyaml parses it, libcrypt
# checks bcrypt hashes, GnuTLS hashes the auth cache and checks the key pair.
KSM_LDFLAGS_ksmtop := $(SAN_FLAGS)
LDLIBS_ksmtop := -lncursesw -ltinfo -lmicrohttpd -lgnutls -lyaml -lcrypt
# ksmadvise hashes pages with xxHash (XXH3).
LDLIBS_ksmadvise := -lxxhash

# The version, from one place: VERSION (also in --version of every command).
VERSION := $(shell cat VERSION)
$(OUTPUT)/obj/lib/cli.o: VERSION
$(OUTPUT)/obj/lib/cli.o: KSM_CPPFLAGS += -DKSM_BPF_VERSION='"$(VERSION)"'

# Objects that include a generated skeleton wait for it; nothing else does.
$(OUTPUT)/obj/lib/event_source.o: $(EV_LSKELS) $(EV_VARIANTS_H)
$(OUTPUT)/obj/tools/ksmpolicy/object.o: $(SKELS)
$(OUTPUT)/obj/tools/ksmtop/task_iter.o: $(OUTPUT)/ksm_iter.skel.h

# Unit tests: cmocka, no BPF, no root needed.  tests/unit/DIR/test_*.c links
# the archive of the command DIR (only libksm.a for DIR = lib; ksmctl's for
# DIR = helpers).
UNIT_SRCS := $(wildcard tests/unit/*/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/unit/%,$(UNIT_SRCS))
unit_dir = $(patsubst %/,%,$(dir $(1)))
unit_archive = $(if $(filter lib,$(1)),,$(OUTPUT)/$(if $(filter helpers,$(1)),ksmctl,$(1)).a)
unit_incdir = $(if $(filter helpers,$(1)),tests/helpers,tools/$(1))
# A test that stands in for what a module reads from the kernel (BTF,
# kallsyms) links with the linker's --wrap of those functions.
UNIT_WRAP_test_event_choice := btf_names_find kallsyms_find kprobe_pmu_type
unit_wrap = $(foreach f,$(UNIT_WRAP_$(notdir $(1))),-Wl,--wrap=$(f))

# Debian packages every target needs (deps installs them).
DEPS := clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libjansson-dev libxxhash-dev \
	libcmocka-dev libncurses-dev libmicrohttpd-dev libgnutls28-dev libyaml-dev libcrypt-dev \
	pkg-config make gcc \
	linux-source-6.12 linux-source-6.1 dwarves qemu-system-x86 busybox-static cpio flex bison bc \
	libssl-dev libclang-rt-14-dev kmod xz-utils bpftrace prometheus tmux perl procps util-linux python3 \
	curl chromium fonts-liberation python3-prometheus-client yamllint \
	pandoc man-db bash-completion strace systemd debhelper dpkg-dev lintian fakeroot

.PHONY: all deps check check-deploy unit host-test demo bench install clean help vmlinux format
.PHONY: man check-install unit-bins fuzz-bins check-sanitize fuzz
.DEFAULT_GOAL := all

# man pages, install, uninstall, the source tarball
include deploy/install.mk

all: $(ALL_BINS) $(EXAMPLE_OBJS) man

help:
	@echo "targets: deps all check check-deploy check-install unit host-test vm-test demo bench"
	@echo "         check-sanitize fuzz install uninstall man dist clean"
	@echo "         vmlinux"
	@echo "options: V=1 OUTPUT=dir PREFIX=/usr/local DESTDIR= SANITIZE=address,undefined"
	@echo "         SYSCONFDIR=/etc SYSTEMDUNITDIR=/lib/systemd/system"
	@echo "         CFLAGS=... LDFLAGS=... VMLINUX_BTF=/sys/kernel/btf/vmlinux"

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

$(BIN) $(OUTPUT)/bpf $(OUTPUT)/examples:
	$(Q)mkdir -p $@

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(VMLINUX_H) | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)llvm-strip -g $@.tmp -o $@ && rm -f $@.tmp

$(OUTPUT)/examples/%.bpf.o: examples/%.bpf.c $(BPF_HDRS) $(VMLINUX_H) | $(OUTPUT)/examples
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)llvm-strip -g $@.tmp -o $@ && rm -f $@.tmp

$(OUTPUT)/%.skel.h: $(OUTPUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/bpf/ksm_events_%.bpf.o: bpf/ksm_events.bpf.c $(BPF_HDRS) $(VMLINUX_H) | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(call ev_flags,$*) -c $< -o $@.tmp
	$(Q)llvm-strip -g $@.tmp -o $@ && rm -f $@.tmp

$(OUTPUT)/ksm_events_%.lskel.h: $(OUTPUT)/bpf/ksm_events_%.bpf.o
	$(call msg,GEN-LSKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton -L $< name ksm_events_$* > $@

$(EV_VARIANTS_H): Makefile
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q){ echo "/* Generated by the Makefile from EV_VARIANTS: do not edit. */"; \
	  $(foreach v,$(EV_VARIANTS),echo '#include "ksm_events_$(v).lskel.h"'; \
		echo 'KSM_VARIANT$(if $(findstring k,$(v)),_KPROBES)($(v), $(call ev_groups,$(v)))';) \
	} > $@

# Every C object: lib/, tools/CMD/, tests/helpers/.  Header dependencies
# come from the compiler (-MMD), after the first build.
$(OUTPUT)/obj/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) -I$(<D) -c $< -o $@

$(LIBKSM): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

.SECONDEXPANSION:
$(OUTPUT)/unit/%: tests/unit/%.c $$(call unit_archive,$$(call unit_dir,$$*)) $(LIBKSM)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) $(if $(filter lib,$(call unit_dir,$*)),,-I$(call unit_incdir,$(call unit_dir,$*))) \
		$(filter %.c %.a,$^) $(SAN_FLAGS) $(LDFLAGS) $(call unit_wrap,$*) $(LDLIBS) \
		$(LDLIBS_$(call unit_dir,$*)) -lcmocka -o $@

unit: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do $$t || fail=1; done; exit $$fail

unit-bins: $(UNIT_BINS)

# libFuzzer harnesses, tests/fuzz/DIR/fuzz_NAME.c, linked like the unit tests
# of DIR; only in a build whose SANITIZE has fuzzer-no-link (build/san).
FUZZ_SRCS := $(wildcard tests/fuzz/*/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(FUZZ_SRCS))
$(OUTPUT)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $$(call unit_archive,$$(call unit_dir,$$*)) \
		  $(LIBKSM)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) $(if $(filter lib,$(call unit_dir,$*)),,-I$(call unit_incdir,$(call unit_dir,$*))) \
		$(filter %.c %.a,$^) $(SAN_FLAGS) -fsanitize=fuzzer $(LDFLAGS) $(LDLIBS) \
		$(LDLIBS_$(call unit_dir,$*)) -o $@

fuzz-bins: $(FUZZ_BINS)

# Host tests: real KSM on the running kernel (root), TAP under prove.
host-test: all
	$(Q)BIN=$(abspath $(BIN)) prove -v tests/host/*.t

# deploy/: yamllint, promtool check/test rules, the Grafana dashboard's queries.
check-deploy:
	$(Q)deploy/check.sh

# What installs it: man pages, completion, units, install/uninstall, the
# tarball (tests/install/, no KSM state touched, no root needed for most).
check-install: all
	$(Q)BIN=$(abspath $(BIN)) OUTPUT=$(abspath $(OUTPUT)) prove tests/install/*.t

# Sanitizers and fuzzing (docs/ARCHITECTURE.md, "Hostile input"): every
# tool, unit test and fuzz harness built by clang with ASan, UBSan and
# libFuzzer's coverage in build/san; the unit tests and the host tests of
# hostile input run under them, then each harness replays a fixed number of
# inputs (tests/fuzz/replay-runs) from its seeds with random seed FUZZ_SEED:
# the same verdict on every machine.  Any sanitizer report (each is a file
# in build/san/logs) fails it.  `make fuzz` explores: 300 s a harness (or
# FUZZ_SECONDS=N) with random seeds, its corpus kept in build/san/fuzz-work.
SAN_OUT := build/san
SAN_MAKE = $(MAKE) --no-print-directory OUTPUT=$(SAN_OUT) CC=clang \
	SANITIZE=address,undefined,fuzzer-no-link
SAN_LOGS := $(abspath $(SAN_OUT))/logs
SAN_ENV = ASAN_OPTIONS=log_path=$(SAN_LOGS)/asan:detect_leaks=1 \
	UBSAN_OPTIONS=log_path=$(SAN_LOGS)/ubsan:print_stacktrace=1
SAN_HOST_TESTS ?= hostile_names hostile_files output_gone ksmsnoop_errors
FUZZ_SEED ?= 1
FUZZ_WORK := $(abspath $(SAN_OUT))/fuzz-work

check-sanitize:
	$(Q)$(SAN_MAKE) all unit-bins fuzz-bins
	$(Q)rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	$(Q)$(SAN_ENV) $(SAN_MAKE) unit
	$(Q)$(SAN_ENV) BIN=$(abspath $(SAN_OUT))/bin prove $(SAN_HOST_TESTS:%=tests/host/%.t)
	$(Q)$(SAN_ENV) tests/fuzz/run.sh -r tests/fuzz/replay-runs -s $(FUZZ_SEED) -l $(SAN_LOGS) \
		$(SAN_OUT)/fuzz $(abspath $(SAN_OUT))/fuzz-replay
	$(Q)n=$$(ls $(SAN_LOGS) | wc -l); echo "sanitizer reports: $$n"; \
		[ $$n = 0 ] || { head -n 40 $(SAN_LOGS)/*; exit 1; }

fuzz:
	$(Q)$(SAN_MAKE) fuzz-bins
	$(Q)$(SAN_ENV) tests/fuzz/run.sh $(SAN_OUT)/fuzz \
		$(or $(FUZZ_SECONDS),300) $(FUZZ_WORK)

# Everything: unit, deploy/, install, host, sanitizers and fuzzing, then the
# patched kernel in QEMU and the unpatched ones of the kernel matrix.
check: deps all unit check-deploy check-install host-test check-sanitize vm-test vm-test-stock

demo: deps all
	$(Q)BIN=$(abspath $(BIN)) tests/demo.sh

bench: deps all
	$(Q)BIN=$(abspath $(BIN)) tests/bench/run.sh

format:
	$(Q)clang-format -i bpf/*.c include/*.h lib/*.[ch] tools/*/*.[ch] tests/helpers/*.[ch] \
		tests/unit/*/*.c

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)

-include $(shell find $(OUTPUT)/obj -name '*.d' 2>/dev/null)
-include tests/vm/vm.mk

.DELETE_ON_ERROR:
.SECONDARY:
