#!/bin/bash
# Shared by the install suite (make check-install): the tree's root, its
# build, a scratch folder removed on exit.  No KSM state is touched here, so
# these tests take no host lock.
source "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUTPUT=${OUTPUT:-$TOP/build}
BIN=${BIN:-$OUTPUT/bin}
TMP=$(mktemp -d /tmp/ksminstall.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
TOOLS=$(cd "$TOP/tools" && ls)

# The commands of a multi-command tool, from the "Commands:" list of --help.
subcommands() {
	"$BIN/$1" --help | awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }'
}

# Every long option of a tool (and of each of its commands), from --help.
long_options() {
	local c
	{
		"$BIN/$1" --help
		for c in $(subcommands "$1"); do "$BIN/$1" "$c" --help; done
	} 2>/dev/null | grep -oE -- '--[a-z][a-z0-9.-]+' | grep -vx -- '--usage' | sort -u
}
