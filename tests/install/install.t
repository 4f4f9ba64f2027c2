#!/bin/bash
# make install and make uninstall into a scratch DESTDIR: everything in its
# usual place, the units pointing at the installed commands, the
# administrator's configuration never overwritten nor removed, and uninstall
# leaving exactly the files that were there before install.
source "$(dirname "$0")/lib.sh"
plan 9
D=$TMP/dest
VERSION=$(cat "$TOP/VERSION")
files() { (cd "$D" && find . \( -type f -o -type l \) | sort); }
mk() { make -C "$TOP" -s "$@" DESTDIR="$D" > "$TMP/make.log" 2>&1; }

# an unrelated file, and an administrator's rules file already there
mkdir -p "$D/etc/ksm-bpf" "$D/usr/local/sbin"
echo keep > "$D/usr/local/sbin/other-tool"
echo "/mine deny" > "$D/etc/ksm-bpf/rules"
files > "$TMP/before"

check "make install PREFIX=/usr/local" mk install
want="usr/local/sbin/ksmsnoop usr/local/sbin/ksmtop usr/local/sbin/ksmdebug
usr/local/sbin/ksmpolicy usr/local/sbin/ksmadvise usr/local/share/man/man8/ksmtop.8
usr/local/share/man/man5/ksm-bpf-rules.5 usr/local/share/bash-completion/completions/ksmsnoop
usr/local/share/bash-completion/completions/ksmtop usr/local/lib/systemd/system/ksmtop-exporter.service
usr/local/lib/systemd/system/ksmpolicy.service usr/local/lib/ksm-bpf/isolate_top.bpf.o
etc/default/ksm-bpf etc/ksm-bpf/rules"
missing=""
for f in $want; do [ -e "$D/$f" ] || missing+=" $f"; done
is "every file in its place" "${missing# }" ""
is "the installed commands run and print the version" \
	"$("$D/usr/local/sbin/ksmtop" -V)" "ksmtop (ksm-bpf) $VERSION"
check "the units start the installed commands" \
	grep -q '^ExecStart=/usr/local/sbin/ksmtop ' "$D/usr/local/lib/systemd/system/ksmtop-exporter.service"
is "the administrator's rules file is kept" "$(cat "$D/etc/ksm-bpf/rules")" "/mine deny"
is "the man pages: $(ls "$D/usr/local/share/man/man8" | wc -l) in section 8" \
	"$(ls "$D/usr/local/share/man/man8" | wc -l)" "$(echo $TOOLS | wc -w)"

check "make uninstall" mk uninstall
files > "$TMP/after"
is "uninstall leaves exactly the files that were there before" \
	"$(diff "$TMP/before" "$TMP/after" | grep '^[<>]' | paste -sd ' ')" ""

# the shipped configuration, unchanged, goes with uninstall
rm "$D/etc/ksm-bpf/rules"
mk install && mk uninstall
is "uninstall removes the shipped, unchanged configuration and its folders" \
	"$(ls -d "$D/etc/ksm-bpf" "$D/etc/default/ksm-bpf" "$D/usr/local/lib/ksm-bpf" 2>/dev/null)" ""
done_testing
