#!/bin/bash
# make dist: a source tarball of the committed tree, the same bytes twice,
# entries sorted and owned by 0:0; and from that tarball (no git) make dist
# again gives a reproducible tarball of the same files.
source "$(dirname "$0")/lib.sh"
plan 5
VERSION=$(cat "$TOP/VERSION")
git -C "$TOP" rev-parse --is-inside-work-tree > /dev/null 2>&1 || skip_all "not a git checkout"
dist() { make -C "$1" -s dist OUTPUT="$TMP/$2" > /dev/null 2>&1 && cat "$TMP/$2/ksm-bpf-$VERSION.tar.gz"; }
a=$(dist "$TOP" a | sha256sum | cut -d' ' -f1)
b=$(dist "$TOP" b | sha256sum | cut -d' ' -f1)
diag "ksm-bpf-$VERSION.tar.gz sha256 $a, then $b"
if [ "$a" = "$b" ] && [ "$a" != "$(sha256sum < /dev/null | cut -d' ' -f1)" ]; then
	ok "make dist twice: the same bytes"
else
	not_ok "make dist twice: the same bytes" "$a vs $b"
fi
T=$TMP/a/ksm-bpf-$VERSION.tar.gz
is "its files are the committed ones" \
	"$(tar -tzf "$T" | grep -v '/$' | sed "s|^ksm-bpf-$VERSION/||" | sort | md5sum)" \
	"$(git -C "$TOP" ls-files | sort | md5sum)"
is "every entry owned by 0:0" "$(tar -tvzf "$T" | awk '$2 != "root/root"' | head -3)" ""
# from the unpacked tarball: no git, the tar path
tar -xzf "$T" -C "$TMP"
c=$(dist "$TMP/ksm-bpf-$VERSION" c | sha256sum | cut -d' ' -f1)
d=$(dist "$TMP/ksm-bpf-$VERSION" d | sha256sum | cut -d' ' -f1)
diag "from the tarball: $c, then $d"
empty=$(sha256sum < /dev/null | cut -d' ' -f1)
[ "$c" != "$empty" ] && [ "$c" = "$d" ] && ok "from an unpacked tarball: the same bytes twice" ||
	not_ok "from an unpacked tarball: the same bytes twice" "$c vs $d"
is "with the same files" \
	"$(tar -tzf "$TMP/c/ksm-bpf-$VERSION.tar.gz" | grep -v '/$' | sort | md5sum)" \
	"$(tar -tzf "$T" | grep -v '/$' | sort | md5sum)"
done_testing
