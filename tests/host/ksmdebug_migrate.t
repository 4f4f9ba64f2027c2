#!/bin/bash
# Page migration on the running (stock) kernel, through the stock migrate
# tracepoints: a process fragments memory and compacts it
# (/proc/sys/vm/compact_memory, the one migration that works with a single
# NUMA node) while a KSM workload is merged and short-lived processes come
# and go (an exit during a migration zaps entries without a remove: the
# detector must not call that a leftover).  ksmdebug finds nothing; every
# set_migration_pte of an undisturbed batch is paired with a
# remove_migration_pte; the pfns decoded from the ptes are the process's
# pagemap frames before and after; ksmsnoop attributes the events to the
# compacting process; ksmtop counts the pages migrated per node.
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
[ -w /proc/sys/vm/compact_memory ] || skip_all "no /proc/sys/vm/compact_memory (CONFIG_COMPACTION)"
"$BIN/ksmsnoop" --list-probes -j 2> /dev/null | grep -q '"probe":"ksm_set_migration_pte"[^}]*"state":"active"' ||
	skip_all "no migrate tracepoints (set_migration_pte) in this kernel"
plan 7
ksm_save
"$BIN/ksmctl" set run=0 pages_to_scan=2000 sleep_millisecs=10

# The compacting process: 512 MiB touched in 4 KiB pages, every other 64 KiB
# freed, compact, and its pagemap frames before and after (pfn-check.json).
cat > "$TMP/compact.py" <<'PY'
import json, mmap, os, struct, sys
out, go = sys.argv[1], sys.argv[2]
chunks = [mmap.mmap(-1, 1 << 16) for _ in range(8192)]
for c in chunks:
    for off in range(0, 1 << 16, 4096):
        c[off] = 1
kept = chunks[1::2]
for c in chunks[0::2]:
    c.close()
def frames():
    f = {}
    with open("/proc/self/maps") as maps:
        spans = [tuple(int(x, 16) for x in l.split()[0].split("-")) for l in maps]
    with open("/proc/self/pagemap", "rb") as pm:
        for s, e in spans:
            if e - s != 1 << 16:
                continue
            pm.seek(s // 4096 * 8)
            data = pm.read((e - s) // 4096 * 8)
            for i in range(len(data) // 8):
                v = struct.unpack_from("<Q", data, i * 8)[0]
                if v >> 63:
                    f[hex(s + i * 4096)] = v & ((1 << 55) - 1)
    return f
before = frames()
print("ready", os.getpid(), flush=True)
while not os.path.exists(go):
    os.sched_yield()
with open("/proc/sys/vm/compact_memory", "w") as f:
    f.write("1")
json.dump({"pid": os.getpid(), "before": before, "after": frames()}, open(out, "w"))
PY

# processes that touch 8 MiB and exit, until told to stop
cat > "$TMP/churn.py" <<'PY'
import mmap, os, sys
n = 0
while not os.path.exists(sys.argv[1]):
    pid = os.fork()
    if not pid:
        m = mmap.mmap(-1, 8 << 20)
        for off in range(0, 8 << 20, 4096):
            m[off] = 1
        os._exit(0)
    os.waitpid(pid, 0)
    n += 1
print("churn", n)
PY

start_load K -n 2000 -k 3 -s 41
"$BIN/ksmctl" set run=1
"$BIN/ksmctl" wait-stable "$K" 60
merged=$(ksm_stat "$K" ksm_merging_pages)
"$BIN/ksmdebug" watch -j -i 1 > "$TMP/watch.json" 2> "$TMP/watch.err" &
W=$!
_pids+=($W)
start_snoop J "$TMP/mig.json" -j -e migrate_pages_start,set_migration_pte,remove_migration_pte,migrate_pages
start_snoop X "$TMP/mig.txt" -e set_migration_pte,remove_migration_pte
"$BIN/ksmtop" -j 1 > "$TMP/top.json" 2> "$TMP/top.err" &
_pids+=($!)
T=$!
for i in $(seq 1 200); do grep -q watching "$TMP/watch.err" && [ -s "$TMP/top.json" ] && break; sleep 0.05; done
python3 "$TMP/churn.py" "$TMP/stop" > "$TMP/churn.out" &
_pids+=($!)
python3 "$TMP/compact.py" "$TMP/pfn-check.json" "$TMP/go" > "$TMP/compact.out" &
C=$!
_pids+=($C)
for i in $(seq 1 600); do grep -q ready "$TMP/compact.out" && break; sleep 0.1; done
touch "$TMP/go"
wait "$C"
touch "$TMP/stop"
sleep 2	# ksmtop's next sample, ksmdebug's next poll
kill -INT "$T" "$W"
wait "$T"
wait "$W"
wrc=$?
stop_snoop "$J"
stop_snoop "$X"
cpid=$(awk '/ready/ {print $2}' "$TMP/compact.out")

# Pairing per thread and batch, over everything traced: in the batches no
# exit (or lost event) disturbed, every set is removed; the disturbed ones
# are counted apart.
pairs=$(python3 - "$TMP/mig.json" <<'PY'
import json, sys
open_b, n = {}, {"sets": 0, "rms": 0, "left": 0, "dsets": 0, "dleft": 0}
for l in open(sys.argv[1]):
    o = json.loads(l)
    t, ev = o["tid"], o["event"]
    if ev == "migrate_pages_start":
        open_b.setdefault(t, []).append([o["disturbed"], {}, 0, 0])
    elif t not in open_b or not open_b[t]:
        continue
    elif ev == "set_migration_pte":
        b = open_b[t][-1]
        b[1][o["addr"]] = b[1].get(o["addr"], 0) + 1
        b[2] += 1
    elif ev == "remove_migration_pte":
        b = open_b[t][-1]
        if b[1].get(o["addr"]):
            b[1][o["addr"]] -= 1
            b[3] += 1
    elif ev == "migrate_pages":
        b = open_b[t].pop()
        left = sum(b[1].values())
        if b[0] == o["disturbed"]:
            n["sets"] += b[2]; n["rms"] += b[3]; n["left"] += left
        else:
            n["dsets"] += b[2]; n["dleft"] += left
print(n["sets"], n["rms"], n["left"], n["dsets"], n["dleft"])
PY
)
read -r sets rms unpaired dsets dleft <<< "$pairs"
diag "undisturbed batches: sets $sets, removes paired $rms, left $unpaired; disturbed batches (an exit or a loss during them): sets $dsets, left $dleft; $(cat "$TMP/churn.out")"
[ "$sets" -gt 0 ] && [ "$sets" = "$rms" ] && [ "$unpaired" = 0 ] &&
	ok "every set_migration_pte of an undisturbed batch is removed in it ($sets pairs)" ||
	not_ok "every set_migration_pte of an undisturbed batch is removed in it" "sets $sets removes $rms unpaired $unpaired"

n=$(jcount "$TMP/watch.json" "o.get('type') == 'finding'")
unj=$(jdoc <(tail -n 1 "$TMP/watch.json") "o['migration_entries_unjudged']")
diag "ksmdebug watch: $unj entries left in disturbed batches, not judged"
[ "$wrc" = 0 ] && [ "$n" = 0 ] && ok "ksmdebug watch: exit 0, no finding" ||
	not_ok "ksmdebug watch: exit 0, no finding" "exit $wrc, $n findings, $(grep -m 1 finding "$TMP/watch.json" | head -c 400)"

# The decoded pfns: set = the page before, remove = the page after.
check_pfns=$(python3 - "$TMP/pfn-check.json" "$TMP/mig.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
moved = {a for a in p["before"] if p["after"].get(a) not in (None, p["before"][a])}
good = bad = 0
for l in open(sys.argv[2]):
    o = json.loads(l)
    if o["pid"] != p["pid"] or o.get("addr") not in moved:
        continue
    want = p["before"] if o["event"] == "set_migration_pte" else p["after"]
    if o["pfn"] == want[o["addr"]]:
        good += 1
    else:
        bad += 1
print(len(moved), good, bad)
PY
)
read -r moved good bad <<< "$check_pfns"
# Events the ring buffer dropped (ksmsnoop says how many when it ends) are
# the only excuse for a moved page without its two events: a loaded
# machine drops some, and each hides at most one.
lost=$(sed -n 's/.* events, \([0-9]*\) lost.*/\1/p' "$TMP/mig.json.err" | tail -n 1)
lost=${lost:-0}
diag "pages of the compacting process that moved $moved; events with the pagemap pfn $good, without $bad; events lost $lost"
[ "$moved" -gt 0 ] && [ "$good" -le $((2 * moved)) ] && [ "$good" -ge $((2 * moved - lost)) ] &&
	[ "$good" -gt 0 ] && [ "$bad" = 0 ] &&
	ok "pfns decoded from the ptes are pagemap's frames before (set) and after (remove), $lost events lost" ||
	not_ok "pfns decoded from the ptes are pagemap's frames" "moved $moved good $good bad $bad lost $lost"

n=$(awk -v p="$cpid" '($1 == "set_migration_pte" || $1 == "remove_migration_pt") && $2 == p && $3 == "python3"' "$TMP/mig.txt" | wc -l)
[ "$n" -gt 0 ] && ok "ksmsnoop -e set_migration_pte,remove_migration_pte: $n lines of the compacting pid $cpid, comm python3" ||
	not_ok "ksmsnoop attributes the events to the compacting process" "$(head -n 3 "$TMP/mig.txt")"
is "ksmsnoop text: no other event kinds" "$(awk 'NR > 1 && $1 != "set_migration_pte" && $1 != "remove_migration_pt"' "$TMP/mig.txt" | wc -l)" 0

out=$(jdoc <(tail -n 1 "$TMP/top.json") "o['nodes'][0]['page_migrations_out']")
in=$(jdoc <(tail -n 1 "$TMP/top.json") "o['nodes'][0]['page_migrations_in']")
[ "$out" -gt 0 ] 2>/dev/null && [ "$out" = "$in" ] && ok "ksmtop -j: page migrations counted on node 0 ($out out, $in in)" ||
	not_ok "ksmtop -j: page migrations counted on node 0" "out $out in $in"

merging=$(ksm_stat "$K" ksm_merging_pages)
[ "$merging" -gt 0 ] && [ "$merging" = "$merged" ] &&
	ok "the KSM workload stayed merged across the compaction ($merging pages)" ||
	not_ok "the KSM workload stayed merged" "ksm_merging_pages $merged before, $merging after"
done_testing
