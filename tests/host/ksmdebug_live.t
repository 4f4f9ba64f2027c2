#!/bin/bash
# ksmdebug watch / record / replay on a real ksmload workload (stock kernel):
# no findings on a healthy kernel, per-process accounting from events equals
# /proc/PID/ksm_stat, the recorder writes on SIGUSR1 and on exit, its window
# is bounded, and SIGINT drains and exits 0.
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
plan 12
D=$BIN/ksmdebug
ksm_save
"$BIN/ksmctl" set run=0 pages_to_scan=2000 sleep_millisecs=10

# start_dbg VAR OUT ARGS...: ksmdebug in the background once it is tracing.
start_dbg() {
	local var=$1 out=$2 i pid
	shift 2
	"$D" "$@" > "$out" 2> "$out.err" &
	pid=$!
	_pids+=($pid)
	for i in $(seq 1 200); do
		grep -q "watching\|recording" "$out.err" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	printf -v "$var" '%s' "$pid"
}

start_dbg W "$TMP/watch.json" watch -j -i 1
start_dbg R "$TMP/rec.out" record -o "$TMP/full.trace" -i 1
start_dbg S "$TMP/small.out" record -o "$TMP/small.trace" -n 100 -i 1
start_load A -n 2000 -k 3 -u 100 -s 31
start_load B -n 1000 -k 2 -s 32
"$BIN/ksmctl" set run=1
"$BIN/ksmctl" wait-stable "$A" 60 && "$BIN/ksmctl" wait-stable "$B" 60
ma=$(ksm_stat "$A" ksm_merging_pages)
mb=$(ksm_stat "$B" ksm_merging_pages)
diag "kernel: pid $A merging $ma, pid $B merging $mb"

# SIGUSR1: the recorder writes now and keeps going.
kill -USR1 "$R"
for i in $(seq 1 100); do [ -s "$TMP/full.trace" ] && break; sleep 0.05; done
kill -0 "$R" 2>/dev/null && grep -q "wrote .*sigusr1" "$TMP/rec.out.err" &&
	ok "SIGUSR1: trace written, recorder still running" ||
	not_ok "SIGUSR1: trace written, recorder still running" "$(cat "$TMP/rec.out.err")"

for p in $W $R $S; do kill -INT "$p"; done
rcs=""
for p in $W $R $S; do wait "$p"; rcs="$rcs$?"; done
is "SIGINT: watch and both recorders exit 0" "$rcs" "000"

# watch: no findings, and the summary's accounting agrees with ksm_stat.
is "watch: no findings on a healthy kernel" "$(jcount "$TMP/watch.json" "o.get('type') == 'finding'")" 0
acct() { # FILE PID: "events kernel verdict" from a watch/replay JSON summary
	python3 - "$1" "$2" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("type") != "summary":
        continue
    acc = o["accounting"]
    if acc and isinstance(acc[-1], dict) and "procs" in acc[-1]:
        acc = acc[-1]["procs"]
    for a in acc:
        if a["pid"] == int(sys.argv[2]):
            print(a["events"], a["kernel"], a["verdict"])
PY
}
is "watch: pid A events == ksm_stat ($ma), verdict agree" "$(acct "$TMP/watch.json" "$A")" "$ma $ma agree"
is "watch: pid B events == ksm_stat ($mb), verdict agree" "$(acct "$TMP/watch.json" "$B")" "$mb $mb agree"

# record + replay: the same verdicts offline, from the file's snapshots.
grep -q "wrote .*exit" "$TMP/rec.out.err" && ok "record: trace written on exit" ||
	not_ok "record: trace written on exit" "$(cat "$TMP/rec.out.err")"
"$D" replay -j "$TMP/full.trace" > "$TMP/replay.json" 2> "$TMP/replay.err"
rc=$?
is "replay of the recording: exit 0, no findings" "$rc/$(jcount "$TMP/replay.json" "o.get('type') == 'finding'")" "0/0"
is "replay: pid A accounting agrees with ksm_stat" "$(acct "$TMP/replay.json" "$A")" "$ma $ma agree"
n=$(grep -c '"event":"merge_with_ksm_page"' "$TMP/full.trace")
[ "$n" -ge $((ma + mb)) ] && ok "record: every merge is in the trace ($n)" ||
	not_ok "record: every merge is in the trace" "$n < $((ma + mb))"

# The small recorder kept its last 100 events and says the start is gone.
got=$(python3 - "$TMP/small.trace" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
h = lines[0]["trace"]
ev = sum(1 for o in lines if "event" in o)
starts = sum(1 for o in lines if o.get("type") == "snapshot" and o.get("label") == "start")
print(ev <= 100, h["held"] == ev, h["evicted"] > 0, starts)
PY
)
is "record -n 100: at most 100 events held, eviction counted, no stale baseline" "$got" \
	"True True True 0"
"$D" replay -j "$TMP/small.trace" > "$TMP/small.json" 2>&1
is "replay of a window that lost its start: accounting incomplete, not drift" \
	"$(acct "$TMP/small.json" "$A" | awk '{print $3}')" "incomplete"

# ksmsnoop-compatible: every event line of the trace is what ksmsnoop -j prints.
bad=$(jcount "$TMP/full.trace" "'event' in o and not all(k in o for k in ('ts_ns','event','pid','comm','cgroup_id','cgroup','pfn','nid','err'))")
is "trace event lines carry the ksmsnoop -j schema" "$bad" 0
done_testing
