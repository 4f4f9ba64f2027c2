#!/bin/bash
# Names any user can choose (issue #14's Must-show): real processes that
# renamed themselves with prctl(PR_SET_NAME) to an escape sequence and a
# newline, invalid UTF-8, quotes and markup, a bidi override and a tab, in
# cgroups named with an OSC sequence, markup, invalid UTF-8 and quotes,
# under ksmsnoop (text, -j), ksmtop (-b, -j, the ncurses view in tmux, the
# exporter) and ksmdebug (record, replay, report text, JSON and HTML).
# Every JSON line parses and keeps the exact name (KEY_bytes when it is not
# UTF-8), no raw control byte reaches a text output, no row is split, the
# terminal is not cleared nor retitled, the HTML has no unescaped markup.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/prom_lib.sh"
need_root
need_ksm
need_prometheus
[ -n "$CGROOT" ] || skip_all "no cgroup v2 mount"
command -v tmux > /dev/null || skip_all "tmux is not installed (make deps installs it)"
plan 32

CG=/hostile-names-$$
CG1=$'\e]0;pwned\a<i>x'		# retitles a terminal; markup
CG2=$'bad\xff\xfe "q"&'		# not UTF-8; quotes
track_cgroup "$CG/$CG1"
track_cgroup "$CG/$CG2"
track_cgroup "$CG"
N1=$'\e[2Jx\ny'			# clears the screen; splits a line
N2=$'bad\xff\xfeutf'		# not UTF-8
N3='<b>"q"&amp;'		# markup, quotes
N4=$'\xe2\x80\xaeevil\tx'	# right-to-left override, a tab
# ...and how the text outputs must show them (lib/name_esc.h, C.UTF-8)
export LC_ALL=C.UTF-8
S1='\x1b[2Jx\ny' S2='bad\xff\xfeutf' S3='<b>"q"&amp;' S4='\u202eevil\tx'

ksm_save
ksm_fast
SOCK=hostile-$$
tm() { tmux -L "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT

# churn: pages keep breaking and merging, so every stream has their events
"$BIN/ksmdebug" record -q -o "$TMP/rec.jsonl" > "$TMP/rec.out" 2> "$TMP/rec.err" &
REC=$!
_pids+=($REC)
start_load P1 -n 256 -k 2 -s 71 -w 100 -N "$N1" -c "$CG/$CG1"
start_load P2 -n 256 -k 2 -s 72 -w 100 -N "$N2" -c "$CG/$CG2"
start_load P3 -n 256 -k 2 -s 73 -w 100 -N "$N3" -c "$CG/$CG1"
start_load P4 -n 256 -k 2 -s 74 -w 100 -N "$N4" -c "$CG/$CG2"
for p in $P1 $P2 $P3 $P4; do "$BIN/ksmctl" wait-merged "$p" 100 60 > /dev/null; done

# What each JSON reader must get back: pid -> hex of the comm, and cgroups.
hex() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }
NAMES="$P1:$(hex "$N1") $P2:$(hex "$N2") $P3:$(hex "$N3") $P4:$(hex "$N4")"
CGS="$(hex "$CG/$CG1") $(hex "$CG/$CG2")"
# jnames FILE MODE: every JSON line (doc: one document) parses; prints how
# many objects named our pids, and how many of them carried a wrong name.
jnames() {
	python3 - "$1" "$2" "$NAMES" "$CGS" <<'PY'
import json, sys
path, mode, names, cgs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
want = {int(p): bytes.fromhex(h) for p, h in (x.split(":") for x in names.split())}
cgs = {bytes.fromhex(h) for h in cgs.split()}
def name(o, k):  # the rule of lib/name_esc.h: KEY_bytes wins
    return bytes(o[k + "_bytes"]) if k + "_bytes" in o else o[k].encode()
seen = bad = 0
def walk(o):
    global seen, bad
    if isinstance(o, dict):
        if o.get("pid") in want and isinstance(o.get("comm"), str):
            seen += 1
            bad += name(o, "comm") != want[o["pid"]]
            if isinstance(o.get("cgroup"), str) and o["cgroup"].startswith("/hostile"):
                bad += name(o, "cgroup") not in cgs
        for v in o.values(): walk(v)
    elif isinstance(o, list):
        for v in o: walk(v)
text = open(path, "rb").read().decode("utf-8")  # JSON is UTF-8, always
docs = [json.loads(text)] if mode == "doc" else [json.loads(l) for l in text.splitlines() if l]
for d in docs: walk(d)
print(seen, bad)
PY
}
# raw FILE: control bytes other than newline, and DEL, in a text output
raw() { tr -d '\n' < "$1" | tr -cd '\000-\037\177' | wc -c; }
# shown FILE: do all four names appear as the rule shows them?
shown() { grep -qF -- "$S1" "$1" && grep -qF -- "$S2" "$1" && grep -qF -- "$S3" "$1" &&
	grep -qF -- "$S4" "$1"; }
# unsplit FILE COL: every line whose field COL is one of our pids has more
# fields after the name (a newline in a name would have cut it).
unsplit() {
	awk -v c="$2" -v pids=" $P1 $P2 $P3 $P4 " \
		'index(pids, " " $c " ") { n++; if (NF < c + 3) bad++ } END { print n + 0, bad + 0 }' "$1"
}

# ---- ksmsnoop ---------------------------------------------------------------
"$BIN/ksmsnoop" -q -d 3 > "$TMP/snoop.txt"
is "ksmsnoop: no raw control byte" "$(raw "$TMP/snoop.txt")" 0
check "ksmsnoop: the four names shown escaped" shown "$TMP/snoop.txt"
read -r n b < <(unsplit "$TMP/snoop.txt" 2)
is "ksmsnoop: $n lines of our pids, none split" "$([ "$n" -gt 0 ] && echo "$b")" 0
"$BIN/ksmsnoop" -q -j -d 3 > "$TMP/snoop.jsonl"
read -r n b < <(jnames "$TMP/snoop.jsonl" lines)
is "ksmsnoop -j: every line parses, $n events of ours, names exact" "$([ "$n" -gt 0 ] && echo "$b")" 0
is "ksmsnoop -j: comm_bytes where the name is not UTF-8" \
	"$(grep -c "\"pid\":$P2,\"comm\":\"bad\\\\\\\\xff\\\\\\\\xfeutf\",\"comm_bytes\":\\[98,97,100,255,254" "$TMP/snoop.jsonl" | awk '{ print ($1 > 0) }')" 1

# ---- ksmtop -b, -j ----------------------------------------------------------
"$BIN/ksmtop" -b -q 0.5 2 > "$TMP/top.txt"
is "ksmtop -b: no raw control byte" "$(raw "$TMP/top.txt")" 0
check "ksmtop -b: the four names shown escaped" shown "$TMP/top.txt"
read -r n b < <(unsplit "$TMP/top.txt" 1)
is "ksmtop -b: $n rows of our pids, none split" "$([ "$n" -ge 8 ] && echo "$b")" 0
check "ksmtop -b: the cgroups shown escaped" grep -qF 'x1b]0;pwned\x07<i>x' "$TMP/top.txt"
"$BIN/ksmtop" -j -q 0.5 2 > "$TMP/top.jsonl"
read -r n b < <(jnames "$TMP/top.jsonl" lines)
is "ksmtop -j: every document parses, $n rows of ours, names exact" "$([ "$n" -ge 8 ] && echo "$b")" 0

# ---- ksmtop's view, in tmux: what a person sees ------------------------------
tm new-session -d -s v -x 200 -y 50 "LC_ALL=C.UTF-8 $BIN/ksmtop 0.5"
pane() { tm capture-pane -p -t v; }
for i in $(seq 1 100); do pane | grep -qF -- "$S2" && break; sleep 0.1; done
sleep 1.2 # two more refreshes: anything raw would have reached the terminal by now
pane > "$TMP/screen.txt"
check "view: the names shown escaped on the screen" shown "$TMP/screen.txt"
check "view: the screen was not cleared (header still on line 1)" \
	grep -q '^ksmtop [0-9:]* *run ' <(head -n 1 "$TMP/screen.txt")
is "view: the pane's title was not changed" "$(tm display -p -t v '#{pane_title}' | grep -c pwned)" 0
read -r n b < <(unsplit "$TMP/screen.txt" 1)
is "view: $n rows of our pids, none split" "$([ "$n" -ge 4 ] && echo "$b")" 0
tm kill-session -t v

# ---- the exporter -----------------------------------------------------------
read -r PORT < <(free_ports 1)
start_ksmtop TOP --web.listen-address "127.0.0.1:$PORT" --prom-processes 50 0.5
for i in $(seq 1 100); do
	curl -sf "http://127.0.0.1:$PORT/metrics" > "$TMP/metrics" 2> /dev/null &&
		grep -q "pid=\"$P2\"" "$TMP/metrics" && break
	sleep 0.1
done
promtool check metrics < "$TMP/metrics" > "$TMP/promtool.out" 2>&1
is "exporter: promtool check metrics passes" "$?:$(cat "$TMP/promtool.out")" "0:"
# Label values are the exporter's own escaping (prom_fmt.c): a newline as
# \n, invalid UTF-8 and what a terminal acts on as the text \xNN, \uXXXX.
is "exporter: no raw control byte in the exposition" "$(raw "$TMP/metrics")" 0
is "exporter: no line split by a name (every line a comment or a sample)" \
	"$(grep -cvE '^(# .*|[a-z_:]+(\{.*\})? [-+0-9.eEInfNa]+)$' "$TMP/metrics")" 0
is "exporter: a series for each of our processes" \
	"$(for p in $P1 $P2 $P3 $P4; do grep -c "^ksm_process_merging_pages{pid=\"$p\"" "$TMP/metrics"; done | xargs)" \
	"1 1 1 1"
kill "$TOP"

# ---- ksmdebug: record, replay, report ------------------------------------------
kill -INT "$REC"
wait "$REC"
is "record: exit 0 or 3" "$(($? == 0 || $? == 3))" 1
read -r n b < <(jnames "$TMP/rec.jsonl" lines)
is "record: every line parses, $n events and snapshot rows of ours, names exact" \
	"$([ "$n" -gt 0 ] && echo "$b")" 0
"$BIN/ksmdebug" replay "$TMP/rec.jsonl" > "$TMP/replay.txt" 2> "$TMP/replay.err"
is "replay: exit 0 or 3" "$(($? == 0 || $? == 3))" 1
is "replay: no raw control byte in its output and errors" \
	"$(raw "$TMP/replay.txt") $(raw "$TMP/replay.err")" "0 0"
"$BIN/ksmdebug" replay -j "$TMP/rec.jsonl" > "$TMP/replay.jsonl" 2> /dev/null
read -r n b < <(jnames "$TMP/replay.jsonl" lines)
is "replay -j: every line parses, names exact" "$b" 0
"$BIN/ksmdebug" report "$TMP/rec.jsonl" > "$TMP/report.txt" 2> /dev/null
is "report: no raw control byte" "$(raw "$TMP/report.txt")" 0
check "report: the last snapshot names them escaped" shown "$TMP/report.txt"
"$BIN/ksmdebug" report -j "$TMP/rec.jsonl" > "$TMP/report.json" 2> /dev/null
read -r n b < <(jnames "$TMP/report.json" doc)
is "report -j: parses, $n objects of ours, names exact" "$([ "$n" -gt 0 ] && echo "$b")" 0
"$BIN/ksmdebug" report -q --html "$TMP/report.html" "$TMP/rec.jsonl" > /dev/null 2>&1
is "report --html: no raw control byte" "$(raw "$TMP/report.html")" 0
# the page's own tags only (its one <b> holds "N findings"; it has no <i>),
# and the names as text (shown, then markup-escaped)
html=$(python3 - "$TMP/report.html" "$S3" "$S1" <<'PY'
import html.parser, re, sys
text, foreign, last = [], 0, [None]
class P(html.parser.HTMLParser):
    def handle_starttag(self, t, a):
        global foreign
        foreign += t == "i"
        last[0] = t
    def handle_data(self, d):
        global foreign
        if last[0] == "b" and not re.fullmatch(r"\d+ findings?", d):
            foreign += 1
        last[0] = None
        text.append(d)
P(convert_charrefs=True).feed(open(sys.argv[1], encoding="utf-8").read())
t = "".join(text)
print(foreign > 0, sys.argv[2] in t, sys.argv[3] in t)
PY
)
is "report --html: no <b> or <i> from a name; the names are text" "$html" "False True True"
is "report --html: the markup name escaped in the source" \
	"$(grep -c '&lt;b&gt;&quot;q&quot;&amp;amp;' "$TMP/report.html" | awk '{ print ($1 > 0) }')" 1
is "report --html: not one raw markup name" "$(grep -c '<b>"q"' "$TMP/report.html")" 0
check "report --html: 0600" test "$(stat -c %a "$TMP/report.html")" = 600
is "no stray ESC on the recorder's stderr" "$(raw "$TMP/rec.err")" 0
done_testing
