#!/bin/bash
# The man pages: one per command and one for the rules file, made from
# docs/*.md by make man, render at 80 columns without a groff warning, and
# carry what every page must: the shared options, every option --help
# lists, the exit statuses.
source "$(dirname "$0")/lib.sh"
MAN=$OUTPUT/man
plan $((4 * $(echo $TOOLS | wc -w) + 3))

for t in $TOOLS; do
	page=$MAN/$t.8
	if [ ! -s "$page" ] || [ "$(head -n 1 "$TOP/docs/$t.md")" != "# $t($((8)))" ]; then
		not_ok "$t(8) is made from docs/$t.md" "no $page, or docs/$t.md does not start '# $t(8)'"
		continue
	fi
	ok "$t(8) is made from docs/$t.md"
	warn=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l "$page" 2>&1 >"$TMP/$t.txt")
	lines=$(wc -l < "$TMP/$t.txt")
	if [ -z "$warn" ] && [ "$lines" -gt 50 ]; then
		ok "$t(8) renders at 80 columns without warnings ($lines lines)"
	else
		not_ok "$t(8) renders at 80 columns without warnings" "$lines lines; $warn"
	fi
	missing=""
	for o in $(long_options "$t") -j --json --pretty -v --verbose -q --quiet -V --version \
		-h --help; do
		# the option as a word: not a prefix of a longer one (--web.config vs
		# --web.config.file), but it may end a sentence
		grep -qE -- "(^|[^a-z0-9-])$o([^a-z0-9.-]|\.([^a-z]|$)|$)" "$TMP/$t.txt" ||
			missing+=" $o"
	done
	is "$t(8) documents every option of --help and the shared ones" "${missing# }" ""
	# the section, and a meaning for each status the convention defines
	st=$(sed -n '/^EXIT STATUS/,/^[A-Z]/p' "$TMP/$t.txt")
	want="0 1 2"
	[ "$t" = ksmdebug ] && want="0 1 2 3"
	gap=""
	for n in $want; do grep -qE "(^|[^0-9.])$n([^0-9.]|$)" <<< "$st" || gap+=" $n"; done
	if [ -n "$st" ] && [ -z "$gap" ]; then
		ok "$t(8) has EXIT STATUS with $want"
	else
		not_ok "$t(8) has EXIT STATUS with $want" "missing:${gap:- the section}"
	fi
done

page=$MAN/ksm-bpf-rules.5
warn=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l "$page" 2>&1 >"$TMP/rules.txt")
if [ -s "$TMP/rules.txt" ] && [ -z "$warn" ]; then
	ok "ksm-bpf-rules(5) renders at 80 columns without warnings"
else
	not_ok "ksm-bpf-rules(5) renders at 80 columns without warnings" "$warn"
fi
check "ksm-bpf-rules(5) names its file and every rule word" \
	bash -c "grep -q /etc/ksm-bpf/rules '$TMP/rules.txt' && for w in allow deny isolate weight; do
		grep -qw \$w '$TMP/rules.txt' || exit 1; done"
# every page the docs declare is built, and nothing else
want=$(grep -l '^# [a-z0-9-]*([1-8])$' "$TOP"/docs/*.md | wc -l)
is "one page per docs/NAME.md titled NAME(N)" "$(ls "$MAN" | wc -l)" "$want"
done_testing
