#!/bin/bash
# ksmdebug on recorded traces: replay finds each synthetic signature and
# stays silent on the near misses; malformed lines get FILE:LINE errors and
# the rest is still analysed; report text/JSON/HTML carry the evidence, and
# the HTML page renders in headless chromium. Bad input: clear error, exit != 0.
source "$(dirname "$0")/lib.sh"
DATA=$(cd "$(dirname "$0")/../data/ksmdebug" && pwd)
plan 19
D=$BIN/ksmdebug

# expect_fail NAME PATTERN ARGS...: non-zero exit and PATTERN on stderr.
expect_fail() {
	local name=$1 pat=$2 rc
	shift 2
	"$@" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ "$rc" -ne 0 ] && grep -q -- "$pat" "$TMP/err"; then
		ok "$name (exit $rc)"
	else
		not_ok "$name" "exit $rc, stderr: $(head -c 300 "$TMP/err")"
	fi
}

"$D" replay -j "$DATA/races.jsonl" > "$TMP/races.json" 2> "$TMP/races.err"
is "replay: exit 3 when something is found" "$?" 3
got=$(python3 - "$TMP/races.json" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
print(" ".join(sorted(o["detector"] for o in lines if o.get("type") == "finding")))
PY
)
is "replay: each synthetic signature found once" "$got" \
	"copy_nomem copy_not_uptodate leftover_nodes migration_stale_race"
is "replay: the race finding carries migrate and stale as evidence" "$(jcount "$TMP/races.json" \
	"o.get('detector') == 'migration_stale_race' and [e['event'] for e in o['evidence']] == ['stable_node_insert','migrate_folio','get_folio_stale']")" 1

"$D" replay -j "$DATA/near_misses.jsonl" > "$TMP/near.json" 2>&1
rc=$?
is "near misses: no finding, exit 0" "$rc/$(jcount "$TMP/near.json" "o.get('type') == 'finding'")" "0/0"

"$D" replay "$DATA/malformed.jsonl" > "$TMP/mal.out" 2> "$TMP/mal.err"
rc=$?
is "malformed trace: exit 1" "$rc" 1
got=$(grep -o 'malformed.jsonl:[0-9]*:' "$TMP/mal.err" | cut -d: -f2 | xargs)
is "malformed trace: one FILE:LINE error per bad line" "$got" "4 5 6 9 11"
grep -q 'malformed.jsonl:5: unknown event "no_such_event"' "$TMP/mal.err" &&
	grep -q 'malformed.jsonl:11: truncated line' "$TMP/mal.err" &&
	grep -q 'malformed.jsonl:9: unknown reason "bogus" for stable_node_remove' "$TMP/mal.err" &&
	ok "malformed trace: the errors say what is wrong" ||
	not_ok "malformed trace: the errors say what is wrong" "$(cat "$TMP/mal.err")"
grep -q "migration_stale_race" "$TMP/mal.out" && grep -q "^4 events, 5 malformed" "$TMP/mal.out" &&
	ok "malformed trace: the good lines are still analysed" ||
	not_ok "malformed trace: the good lines are still analysed" "$(cat "$TMP/mal.out")"

# A plain ksmsnoop -j trace (no header, no snapshots) replays too.
grep -v '"type"' "$DATA/races.jsonl" > "$TMP/snoop.json"
"$D" replay -j "$TMP/snoop.json" > "$TMP/snoop.out" 2>&1
is "ksmsnoop -j lines replay alike (4 findings)" "$(jcount "$TMP/snoop.out" "o.get('type') == 'finding'")" 4

# report: text, JSON, HTML.
"$D" report "$DATA/races.jsonl" > "$TMP/rep.txt" 2>&1
grep -q "Kernel: 6.12.0-ksm-synthetic" "$TMP/rep.txt" && grep -q "^  \* *+0.000 ms get_folio_stale" "$TMP/rep.txt" &&
	ok "report text: kernel and the evidence marked in the timeline" ||
	not_ok "report text" "$(head -40 "$TMP/rep.txt")"
"$D" report -j "$DATA/races.jsonl" > "$TMP/rep.json" 2>&1
got=$(python3 - "$TMP/rep.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
f = [x for x in r["findings"] if x["detector"] == "migration_stale_race"][0]
ev = [e["event"] for e in f["timeline"] if e["evidence"]]
print(r["events"], len(r["findings"]), ",".join(ev), r["kernel"]["release"])
PY
)
is "report JSON: findings with timelines marking the evidence" "$got" \
	"9 4 stable_node_insert,migrate_folio,get_folio_stale 6.12.0-ksm-synthetic"
"$D" report --html "$TMP/rep.html" -o /dev/null "$DATA/races.jsonl" 2>/dev/null
n=$(grep -c 'class="evidence"' "$TMP/rep.html")
grep -q '<svg id="timeline"' "$TMP/rep.html" && grep -q 'migration_stale_race' "$TMP/rep.html" &&
	grep -q '<tr class="ev"><td>+0.000 ms</td><td>get_folio_stale' "$TMP/rep.html" && [ "$n" -ge 6 ] &&
	ok "report HTML: inline SVG timeline with $n evidence marks, evidence rows" ||
	not_ok "report HTML" "evidence marks $n"
python3 - "$TMP/rep.html" <<'PY' && ok "report HTML: well-formed (parses as XML after the doctype)" || not_ok "report HTML: well-formed"
import sys, xml.dom.minidom
t = open(sys.argv[1]).read().split("\n", 1)[1].replace('<meta charset="utf-8">', '<meta charset="utf-8"/>')
xml.dom.minidom.parseString(t)
PY

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
if [ -z "$CHROME" ]; then
	skip "HTML report renders in headless chromium" "chromium not installed (apt-get install chromium)"
else
	timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--window-size=1200,1600 --screenshot="$TMP/rep.png" "file://$TMP/rep.html" \
		> "$TMP/chrome.log" 2>&1
	# A blank page compresses to almost nothing: a rendered report does not.
	size=$(stat -c %s "$TMP/rep.png" 2>/dev/null || echo 0)
	colors=$(python3 - "$TMP/rep.png" <<'PY'
import sys, zlib, struct
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", d[16:24])
idat, i = b"", 8
while i < len(d):
    n, = struct.unpack(">I", d[i:i+4]); t = d[i+4:i+8]
    if t == b"IDAT": idat += d[i+8:i+8+n]
    i += 12 + n
raw = zlib.decompress(idat)
print(len(set(raw[j:j+3] for j in range(1, min(len(raw), 2_000_000), 4))))
PY
)
	[ "$size" -gt 20000 ] && [ "${colors:-0}" -gt 20 ] &&
		ok "HTML report renders in headless chromium (${size} B png, $colors colours)" ||
		not_ok "HTML report renders in headless chromium" "png $size B, colours $colors: $(tail -3 "$TMP/chrome.log")"
	[ -n "${KSMDEBUG_KEEP_PNG:-}" ] && cp "$TMP/rep.png" "$KSMDEBUG_KEEP_PNG"
fi

# Bad input.
expect_fail "unknown command" "unknown command 'frobnicate'" "$D" frobnicate
expect_fail "missing trace file" "no/such.trace: No such file or directory" "$D" replay no/such.trace
expect_fail "replay without a file" "missing trace FILE" "$D" replay
expect_fail "record without -o" "-o FILE is required" "$D" record
if [ "$(id -u)" = 0 ]; then
	expect_fail "watch as non-root" "must be run as root" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$D" watch -d 1
else
	expect_fail "watch as non-root" "must be run as root" "$D" watch -d 1
fi
done_testing
