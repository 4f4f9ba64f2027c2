# SPDX-License-Identifier: GPL-2.0
#
# What installs ksm-bpf elsewhere: the man pages, and (below) install,
# uninstall and the source tarball.  Included by the top-level Makefile.
#
# Man pages: docs/NAME.md, whose first line is "# NAME(SECTION)", is the one
# source of NAME.SECTION; pandoc makes the troff at build time
# (docs/manpage.lua turns tables into tagged paragraphs, which wrap at any
# width).  The date is SOURCE_DATE_EPOCH's (dpkg-buildpackage sets it from
# debian/changelog; otherwise the last commit's, or VERSION's mtime in an
# unpacked tarball), so two builds of one source give the same bytes.

PANDOC ?= pandoc
MAN_SRCS := $(shell grep -l '^\# [a-z0-9-]*([1-8])$$' docs/*.md)
man_name = $(shell sed -n '1s/^\# \([a-z0-9-]*\)(\([1-8]\))$$/\1.\2/p' $(1))
MAN_PAGES := $(foreach f,$(MAN_SRCS),$(OUTPUT)/man/$(call man_name,$(f)))

SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || stat -c %Y VERSION)
MAN_DATE := $(shell date -u -d @$(SOURCE_DATE_EPOCH) +%Y-%m-%d)
man_header = $(if $(filter 5,$(1)),File Formats,System Administration)

man: $(MAN_PAGES)

define man_rule
$(OUTPUT)/man/$(1).$(2): docs/$(1).md docs/manpage.lua VERSION
	$$(call msg,PANDOC,$$@)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$(PANDOC) -s -f markdown+lists_without_preceding_blankline -t man \
		--lua-filter=docs/manpage.lua --shift-heading-level-by=-1 \
		-V title=$(shell echo $(1) | tr a-z A-Z) -V section=$(2) -V date=$$(MAN_DATE) \
		-V footer="ksm-bpf $$(VERSION)" -V header="$$(call man_header,$(2))" \
		-M hyphenate=false -V adjusting=l $$< -o $$@
endef
$(foreach p,$(MAN_PAGES),$(eval $(call man_rule,$(basename $(notdir $(p))),$(patsubst .%,%,$(suffix $(p))))))

# make install [PREFIX=/usr/local] [DESTDIR=]: the commands, their man pages,
# bash completion, the systemd units (ExecStart pointing at SBINDIR), the
# example configuration in SYSCONFDIR (kept when already there: it is the
# administrator's), and the example ksm_bpf_ops objects.  make uninstall
# removes what install put, and a configuration file only while it is still
# the one shipped.
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
LIBDIR_KSM ?= $(PREFIX)/lib/ksm-bpf
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
# units: /lib/systemd/system for PREFIX=/usr, else PREFIX/lib/systemd/system (both on
# systemd's search path)
SYSTEMDUNITDIR ?= $(if $(filter /usr,$(PREFIX)),,$(PREFIX))/lib/systemd/system
SYSCONFDIR ?= /etc

UNITS := $(wildcard deploy/systemd/*.service)
CONFIGS := ksm-bpf/rules default/ksm-bpf
MAN_INST := $(foreach p,$(MAN_PAGES),$(MANDIR)/man$(patsubst .%,%,$(suffix $(p)))/$(notdir $(p)))
# bash-completion loads completions/CMD: one file, a link per other command
COMP_MAIN := $(firstword $(TOOLS))
INSTALLED := $(addprefix $(SBINDIR)/,$(TOOLS)) $(MAN_INST) \
	$(addprefix $(BASHCOMPDIR)/,$(TOOLS)) \
	$(addprefix $(SYSTEMDUNITDIR)/,$(notdir $(UNITS))) \
	$(addprefix $(LIBDIR_KSM)/,$(notdir $(EXAMPLE_OBJS)))

.PHONY: install uninstall
install: all
	$(Q)install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(LIBDIR_KSM) $(DESTDIR)$(SYSCONFDIR)/ksm-bpf $(DESTDIR)$(SYSCONFDIR)/default \
		$(sort $(dir $(addprefix $(DESTDIR),$(MAN_INST))))
	$(Q)install -m 0755 $(addprefix $(BIN)/,$(TOOLS)) $(DESTDIR)$(SBINDIR)/
	$(Q)$(foreach p,$(MAN_PAGES),install -m 0644 $(p) \
		$(DESTDIR)$(MANDIR)/man$(patsubst .%,%,$(suffix $(p)))/;)
	$(Q)install -m 0644 deploy/bash-completion/ksm-bpf $(DESTDIR)$(BASHCOMPDIR)/$(COMP_MAIN)
	$(Q)$(foreach t,$(filter-out $(COMP_MAIN),$(TOOLS)),\
		ln -sf $(COMP_MAIN) $(DESTDIR)$(BASHCOMPDIR)/$(t);)
	$(Q)$(foreach u,$(UNITS),sed -e 's|/usr/sbin/|$(SBINDIR)/|g' \
		-e 's|/etc/|$(SYSCONFDIR)/|g' $(u) > $(DESTDIR)$(SYSTEMDUNITDIR)/$(notdir $(u)) && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$(notdir $(u));)
	$(Q)install -m 0644 $(EXAMPLE_OBJS) $(DESTDIR)$(LIBDIR_KSM)/
	$(Q)$(foreach c,$(CONFIGS),[ -e $(DESTDIR)$(SYSCONFDIR)/$(c) ] || \
		install -m 0644 deploy/etc/$(c) $(DESTDIR)$(SYSCONFDIR)/$(c);)

uninstall:
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	$(Q)$(foreach c,$(CONFIGS),if cmp -s deploy/etc/$(c) $(DESTDIR)$(SYSCONFDIR)/$(c); then \
		rm -f $(DESTDIR)$(SYSCONFDIR)/$(c); \
		elif [ -e $(DESTDIR)$(SYSCONFDIR)/$(c) ]; then \
		echo "uninstall: $(DESTDIR)$(SYSCONFDIR)/$(c) was changed: kept"; fi;)
	$(Q)rmdir $(DESTDIR)$(LIBDIR_KSM) $(DESTDIR)$(SYSCONFDIR)/ksm-bpf 2>/dev/null || true

# make dist: the source tarball of the committed tree, the same bytes each
# time: git archive gives sorted entries owned by 0:0 with the commit's time
# as every mtime, and gzip -n leaves out the name and time of the file.
# Outside a git checkout (an unpacked tarball): tar with the same properties,
# the time being SOURCE_DATE_EPOCH.
DIST := $(OUTPUT)/ksm-bpf-$(VERSION).tar.gz
.PHONY: dist
dist:
	$(call msg,DIST,$(DIST))
	$(Q)mkdir -p $(OUTPUT)
	$(Q)if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then \
		git archive --format=tar --prefix=ksm-bpf-$(VERSION)/ HEAD; \
	else \
		tar --create --sort=name --owner=0 --group=0 --numeric-owner \
			--mtime=@$(SOURCE_DATE_EPOCH) --exclude=./$(OUTPUT) --exclude=./.git \
			--transform='s|^\./|ksm-bpf-$(VERSION)/|' .; \
	fi | gzip -n -9 > $(DIST).tmp && mv $(DIST).tmp $(DIST)
