#!/bin/bash
# The Debian package, end to end on this host: built with dpkg-buildpackage
# from the make dist tarball (a clean tree), lintian without errors,
# installed with dpkg -i; then man ksmtop renders, Tab after ksmsnoop -e
# offers the event names (bash-completion's own loader finding the file),
# systemd-analyze verify accepts the installed units, the installed tools
# run; dpkg -P leaves no file behind.
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
for c in dpkg-buildpackage lintian dh systemd-analyze pandoc; do
	command -v $c > /dev/null || skip_all "$c is not installed (make deps)"
done
[ -r /usr/share/bash-completion/bash_completion ] || skip_all "bash-completion is not installed"
if dpkg-query -W -f='${Status}' ksm-bpf 2>/dev/null | grep -q 'ok installed'; then
	skip_all "ksm-bpf is installed on this host: the test would remove it"
fi
TOP=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=$(cat "$TOP/VERSION")
DEB=$TMP/src/ksm-bpf_${VERSION}_amd64.deb
start=$(date +%s)
plan 13

# what could be left behind: these trees, before and after
ROOTS="/etc /lib/systemd /usr/sbin /usr/lib/ksm-bpf /usr/share/man/man5 /usr/share/man/man8
/usr/share/bash-completion/completions /usr/share/doc /var/lib/systemd /var/lib/dpkg/info"
snapshot() { find $ROOTS 2> /dev/null | sort; }
purge() { dpkg -P ksm-bpf > "$TMP/purge.log" 2>&1; }
trap 'purge; cleanup' EXIT

make -C "$TOP" -s dist OUTPUT="$TMP/dist" > /dev/null 2>&1
mkdir -p "$TMP/src"
tar -xzf "$TMP/dist/ksm-bpf-$VERSION.tar.gz" -C "$TMP/src"
(cd "$TMP/src/ksm-bpf-$VERSION" && nice dpkg-buildpackage -us -uc -b -j2) > "$TMP/build.log" 2>&1
if [ -s "$DEB" ]; then
	ok "dpkg-buildpackage -us -uc -b from the make dist tree: $(basename "$DEB") ($(($(date +%s) - start)) s)"
else
	not_ok "dpkg-buildpackage builds $(basename "$DEB")" "$(tail -5 "$TMP/build.log")"
	exit 1
fi
lintian "$TMP"/src/ksm-bpf_${VERSION}_amd64.changes > "$TMP/lintian.log" 2>&1
diag "lintian: $(grep -c '^E:' "$TMP/lintian.log") errors, $(grep -c '^W:' "$TMP/lintian.log") warnings"
is "lintian: no error" "$(grep '^E:' "$TMP/lintian.log")" ""

snapshot > "$TMP/before"
check "dpkg -i" bash -c "dpkg -i '$DEB' > '$TMP/install.log' 2>&1"
dpkg -L ksm-bpf > "$TMP/files"

out=$(MANWIDTH=80 man --warnings ksmtop 2>&1 > "$TMP/man.txt")
if [ -z "$out" ] && grep -q "^NAME" "$TMP/man.txt" && grep -q "ksmtop - " "$TMP/man.txt"; then
	ok "man ksmtop renders ($(wc -l < "$TMP/man.txt") lines, no warning)"
else
	not_ok "man ksmtop renders" "$out"
fi
check "man 5 ksm-bpf-rules renders" bash -c "MANWIDTH=80 man 5 ksm-bpf-rules | grep -q /etc/ksm-bpf/rules"

got=$(PATH=/usr/sbin:$PATH bash "$TOP/tests/install/complete.sh" - "ksmsnoop -e " | sort)
is "ksmsnoop -e <Tab> offers the event names (the installed completion)" "$got" \
	"$(/usr/sbin/ksmsnoop --list-events | sort)"

out=$(systemd-analyze verify ksmtop-exporter.service ksmpolicy.service 2>&1)
is "systemd-analyze verify accepts the installed units (man pages included)" "$? $out" "0 "
check "ksmpolicy.service enabled, the exporter not" bash -c \
	"[ -L /etc/systemd/system/multi-user.target.wants/ksmpolicy.service ] &&
	 [ ! -e /etc/systemd/system/multi-user.target.wants/ksmtop-exporter.service ]"

check "ksmsnoop --list-probes runs" bash -c "/usr/sbin/ksmsnoop --list-probes > '$TMP/probes' 2>&1"
check "ksmtop -j 1 1 prints one JSON sample" bash -c \
	"/usr/sbin/ksmtop -j 1 1 2>/dev/null | python3 -c 'import json,sys; d=[json.loads(l) for l in sys.stdin]; assert len(d) == 1 and \"global\" in d[0]'"

check "dpkg -P" purge
snapshot > "$TMP/after"
left=$(diff "$TMP/before" "$TMP/after" | grep '^>' | cut -c3-)
is "dpkg -P leaves nothing behind (no path that was not there before)" "$(echo $left)" ""
still=""
# (its directories /usr, /usr/share, ... stay: they are not only its own)
while read -r f; do
	{ [ -e "$f" ] || [ -L "$f" ]; } && [ ! -d "$f" ] && still+=" $f"
done < "$TMP/files"
is "and none of the package's $(wc -l < "$TMP/files") files" "${still# }" ""
diag "package test: $(($(date +%s) - start)) s"
done_testing
