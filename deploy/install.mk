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
