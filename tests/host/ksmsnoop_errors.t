#!/bin/bash
# Bad input and hard stops: clear message, non-zero exit, nothing left behind.
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
plan 15

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

expect_fail "unknown pid" "no such process: 999999" "$BIN/ksmsnoop" -p 999999
expect_fail "malformed pid" "invalid PID 'abc'" "$BIN/ksmsnoop" -p abc
expect_fail "bad cgroup path" "no such cgroup v2 directory: /no/such/cg" \
	"$BIN/ksmsnoop" -c /no/such/cg
expect_fail "cgroup path that is a file" "no such cgroup v2 directory" \
	"$BIN/ksmsnoop" -c /cgroup.procs
expect_fail "bad event name" "unknown event 'nosuch'" "$BIN/ksmsnoop" -e merge_one_page,nosuch
expect_fail "bad duration" "invalid duration '-3'" "$BIN/ksmsnoop" -d -3
expect_fail "unexpected argument" "unexpected argument 'extra'" "$BIN/ksmsnoop" extra
expect_fail "not root" "must be run as root" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/ksmsnoop" -d 1

# --list-probes tells the truth: stock tracepoints active exactly when
# tracefs lists them; fentry rows say why they are off when they are.
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
"$BIN/ksmsnoop" --list-probes -j > "$TMP/probes.json"
lies=$(python3 - "$TMP/probes.json" <<'PY'
import json, os, sys
probes = json.load(open(sys.argv[1]))["probes"]
bad = []
for p in probes:
    if p["source"].startswith("tracepoint"):
        exists = any(os.path.isdir("/sys/kernel/tracing/events/%s/%s" % (sub, p["target"]))
                     for sub in ("ksm", "migrate", "kmem"))
        if exists != (p["state"] == "active") and "--fallback" not in p["detail"]:
            bad.append(p["probe"])
    elif p["state"] != "active" and not p["detail"]:
        bad.append(p["probe"] + " (no reason)")
print(" ".join(bad))
PY
)
is "--list-probes: tracepoint rows match tracefs, inactive rows give a reason" "$lies" ""

# On a kernel that refuses trampolines the fentry rows must say so.
if python3 -c 'import json,sys; sys.exit(0 if any(p["state"]=="active" and p["source"]=="fentry" for p in json.load(open(sys.argv[1]))["probes"]) else 1)' "$TMP/probes.json"; then
	skip "fentry refused here is reported" "this kernel allows fentry"
else
	n=$(grep -o '"detail":"[^"]*"' "$TMP/probes.json" | grep -c 'refused\|not in kernel BTF\|preferred')
	[ "$n" -ge 5 ] && ok "inactive fentry fallbacks say why ($n rows)" ||
		not_ok "inactive fentry fallbacks say why" "$n rows"
fi

# SIGTERM and SIGINT at any moment: exit 0, summary printed, no BPF link left.
# Count KSM probes attached (links on ksm tracepoints or KSM functions).
ksm_links() { bpftool link list 2>/dev/null | grep -c "tp 'ksm_\|ksm\|stable_node"; }
links_before=$(ksm_links)
ksm_save
ksm_fast
start_load L -n 2000 -k 2 -w 500
for sig in TERM INT; do
	start_snoop S "$TMP/sig.out"
	attached=$(ksm_links)
	kill -"$sig" "$S"
	wait "$S"
	rc=$?
	grep -q "events, .* lost" "$TMP/sig.out.err" && [ "$rc" = 0 ] &&
		[ "$attached" -ge 9 ] && ok "SIG$sig: clean exit with a summary ($attached links were up)" ||
		not_ok "SIG$sig: clean exit with a summary" "rc=$rc $(cat "$TMP/sig.out.err")"
done
is "no BPF links left behind" "$(ksm_links)" "$links_before"

# A consumer that stops reading: the 2 MiB ring buffer (about 15k events)
# overflows, drops are counted and reported, and printed + lost accounts for
# every merge the kernel made.
"$BIN/ksmctl" set run=2 && "$BIN/ksmctl" set run=0
start_load M -n 24000 -k 1
start_snoop D "$TMP/drop.json" -j -e merge_with_ksm_page -p "$M"
kill -STOP "$D"
"$BIN/ksmctl" set run=1
"$BIN/ksmctl" wait-stable "$M" 60
merged=$(ksm_stat "$M" ksm_merging_pages)
kill -CONT "$D"
stop_snoop "$D"
lost=$(sed -n 's/.* \([0-9]*\) lost$/\1/p' "$TMP/drop.json.err")
printed=$(wc -l < "$TMP/drop.json")
diag "merged $merged, printed $printed, lost $lost"
grep -q "warning: $lost events lost" "$TMP/drop.json.err" && [ "${lost:-0}" -gt 0 ] &&
	ok "ring buffer overflow is counted and reported ($lost lost)" ||
	not_ok "ring buffer overflow is counted and reported" "$(cat "$TMP/drop.json.err")"
is "printed + lost == merges ($merged)" "$((printed + lost))" "$merged"
done_testing
