#!/bin/bash
# The systemd units (deploy/systemd/): systemd-analyze verify accepts them
# as installed, systemd-analyze security rates the exporter OK or better, and
# the exporter works under the unit's restrictions: its ExecStart with the
# shipped /etc/default/ksm-bpf, as root with only the unit's bounding set of
# capabilities and no_new_privs, in a read-only file system, serves /metrics
# with the KSM events and other users' processes, and each capability of the
# set is needed; every system call it makes passes the unit's
# SystemCallFilter, and every socket family RestrictAddressFamilies.
# ksmpolicy.service's command is a clear no-op on a kernel without the hook.
source "$(dirname "$0")/lib.sh"
plan 13
ROOT=$TMP/root
UNITDIR=$ROOT/lib/systemd/system
make -C "$TOP" -s install DESTDIR="$ROOT" PREFIX=/usr > "$TMP/install.log" 2>&1 ||
	{ echo "Bail out! make install failed: $(tail -3 "$TMP/install.log")"; exit 1; }
# the targets and units the ours depend on, from this host's systemd
cp -an /lib/systemd/system/. "$UNITDIR/"

out=$(systemd-analyze verify --root="$ROOT" --man=no ksmtop-exporter.service ksmpolicy.service 2>&1)
is "systemd-analyze verify accepts both units, silently" "$? $out" "0 "
sed -e 's|^ExecStart=/usr/sbin/|ExecStart=/usr/sbin/no-|' -e 's|^Type=|Typo=|' \
	"$UNITDIR/ksmpolicy.service" > "$UNITDIR/ksm-broken.service"
out=$(systemd-analyze verify --root="$ROOT" --man=no ksm-broken.service 2>&1)
check "and refuses a broken one" grep -q "no-ksmpolicy is not executable" <<< "$out"
rm "$UNITDIR/ksm-broken.service"

for u in ksmtop-exporter ksmpolicy; do
	line=$(systemd-analyze security --offline=true --root="$ROOT" "$u.service" 2>&1 |
		grep 'Overall exposure level')
	diag "$line"
	if [[ $line =~ :\ ([0-9.]+)\ (PERFECT|SAFE|OK) ]]; then
		ok "systemd-analyze security: $u.service ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
	else
		not_ok "systemd-analyze security: $u.service OK or better" "$line"
	fi
done

# ksmpolicy.service's command, on this kernel
cmd=$(sed -n 's/^ExecStart=//p' "$UNITDIR/ksmpolicy.service" | sed "s|/usr/sbin/|$BIN/|; s|/etc/|$ROOT/etc/|")
if ! bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -q "STRUCT 'ksm_bpf_ops'"; then
	msg=$($cmd 2>&1)
	rc=$?
	if [ $rc = 0 ] && grep -q "none applied: this kernel has no ksm_bpf_ops" <<< "$msg"; then
		ok "ksmpolicy.service on a kernel without the hook: exit 0, '$msg'"
	else
		not_ok "ksmpolicy.service on a kernel without the hook: a no-op" "exit $rc: $msg"
	fi
else
	skip "ksmpolicy.service on a kernel without the hook" "this kernel has ksm_bpf_ops"
fi

[ "$(id -u)" = 0 ] || { for i in $(seq 6 13); do skip "the exporter under the unit" "needs root"; done; exit 0; }
[ -e /sys/kernel/mm/ksm ] || { for i in $(seq 6 13); do skip "the exporter under the unit" "no KSM"; done; exit 0; }
unit=$UNITDIR/ksmtop-exporter.service
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z ' 'a-z\n' | sed 's/^cap_/+/' | paste -sd, -)
families=$(sed -n 's/^RestrictAddressFamilies=//p' "$unit")
diag "bounding set: $caps; families: $families"

# A process of another user that opted in to KSM: ksm_stat is 0400, its own.
setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/ksmload" -n 16 > "$TMP/load" &
load=$!
for i in $(seq 1 100); do grep -q '^ready' "$TMP/load" && break; sleep 0.05; done

# exporter BOUNDING-SET TAG [strace]: the unit's ExecStart (environment from
# the shipped /etc/default/ksm-bpf, a port of the test's own) as root with
# only those capabilities, no_new_privs, / read-only; the metrics it served
# in $TMP/TAG.prom.
exporter() {
	local set=$1 tag=$2 port=$((20000 + RANDOM % 20000)) p i trace=""
	# strace writes to /dev/shm: / is read-only in there
	[ "${3:-}" = strace ] && trace="strace -f -qq -o /dev/shm/ksminstall.$$.strace"
	(
		set -a
		source "$ROOT/etc/default/ksm-bpf"
		KSMTOP_LISTEN_ADDRESS=127.0.0.1:$port
		KSMTOP_ARGS="$KSMTOP_ARGS --prom-processes=100000 ${EXTRA:-} 0.5"
		exec unshare --mount sh -c 'mount --make-rprivate / && mount -o remount,bind,ro / &&
			exec "$@"' sh $trace setpriv --no-new-privs --inh-caps=-all \
			--bounding-set="-all,$set" "$BIN/ksmtop" -q \
			--web.listen-address="$KSMTOP_LISTEN_ADDRESS" $KSMTOP_ARGS
	) > "$TMP/$tag.out" 2>&1 &
	p=$!
	for i in $(seq 1 100); do
		curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
		sleep 0.1
	done
	sleep 1.5 # a few samples
	curl -sf "http://127.0.0.1:$port/metrics" > "$TMP/$tag.prom"
	kill "$p" $(pgrep -P "$p") 2> /dev/null
	for i in $(seq 1 50); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
	pkill -P "$p" 2> /dev/null
	wait "$p" 2> /dev/null
	[ -n "$trace" ] && mv "/dev/shm/ksminstall.$$.strace" "$TMP/$tag.strace"
}
events() { grep -c '^ksm_event_source_active{.*} 1$' "$TMP/$1.prom"; }
sees_load() { grep -q "^ksm_process_merging_pages{pid=\"$load\"" "$TMP/$1.prom"; }

exporter "$caps" unit strace
n=$(grep -c '^ksm_' "$TMP/unit.prom")
if [ "$n" -gt 50 ] && [ "$(events unit)" -gt 0 ] && sees_load unit; then
	ok "the exporter under the unit's restrictions: $n samples, $(events unit) event sources, another user's process"
else
	not_ok "the exporter under the unit's restrictions" \
		"$n samples, $(events unit) event sources; $(head -c 500 "$TMP/unit.out")"
fi
# the BPF task iterator reads every mm's counters itself; where it cannot
# run, ksmtop reads /proc/PID/ksm_stat, which CAP_DAC_READ_SEARCH opens
EXTRA=--no-bpf-iter exporter "$(sed 's/+dac_read_search,\?//; s/,$//' <<< "$caps")" nodac
if [ -s "$TMP/nodac.prom" ] && ! sees_load nodac; then
	ok "CAP_DAC_READ_SEARCH is needed without the task iterator: another user's ksm_stat is unread"
else
	not_ok "CAP_DAC_READ_SEARCH is needed without the task iterator" \
		"$(wc -l < "$TMP/nodac.prom") lines"
fi
exporter "$(sed 's/+bpf,\?//; s/,$//' <<< "$caps")" nobpf
if [ -s "$TMP/nobpf.prom" ] && [ "$(events nobpf)" = 0 ]; then
	ok "CAP_BPF is needed: without it no event source"
else
	not_ok "CAP_BPF is needed" "$(events nobpf) sources active; $(head -c 300 "$TMP/nobpf.out")"
fi
exporter "$(sed 's/+perfmon,\?//; s/,$//' <<< "$caps")" noperfmon
if [ -s "$TMP/noperfmon.prom" ] && [ "$(events noperfmon)" = 0 ]; then
	ok "CAP_PERFMON is needed: without it no event source"
else
	not_ok "CAP_PERFMON is needed" "$(events noperfmon) sources active"
fi
kill "$load"
wait "$load" 2> /dev/null

# The calls and socket families of ksmtop itself (after setpriv's execve).
python3 - "$TMP/unit.strace" > "$TMP/calls" <<'PY'
import re, sys
ours, calls = set(), set()
first = None
for line in open(sys.argv[1]):
    m = re.match(r"(\d+) +(?:<\.\.\. )?([a-z_0-9]+)[( ]", line)
    if not m:
        continue
    pid, call = m.groups()
    if first is None:
        first = pid
    if call == "execve" and "ksmtop" in line and "= 0" in line:
        ours.add(pid)
        continue
    # threads of ksmtop: every pid other than the first (setpriv, then ksmtop)
    if pid in ours or pid != first:
        calls.add(call)
print("\n".join(sorted(calls)))
PY
diag "system calls: $(wc -l < "$TMP/calls")"
refused=$(python3 "$TOP/tests/install/syscall_filter.py" "$unit" "$TMP/calls")
if [ "$(wc -l < "$TMP/calls")" -gt 20 ] && [ -z "$refused" ]; then
	ok "SystemCallFilter allows every call the exporter made ($(wc -l < "$TMP/calls") calls)"
else
	not_ok "SystemCallFilter allows every call the exporter made" "refused: $(echo $refused)"
fi
bad=""
for f in $(grep -oE 'socket\(AF_[A-Z0-9]+' "$TMP/unit.strace" | sed 's/socket(//' | sort -u); do
	grep -qw "$f" <<< "$families" || bad+=" $f"
done
is "RestrictAddressFamilies allows every socket it opened" "${bad# }" ""
check "and the filter refuses what it must (mount, reboot)" \
	bash -c "printf 'mount\nreboot\nbpf\n' > '$TMP/probe'; [ \"\$(python3 '$TOP/tests/install/syscall_filter.py' '$unit' '$TMP/probe' | paste -sd ' ')\" = 'mount reboot' ]"

# A real start needs systemd as PID 1.
if [ -d /run/systemd/system ]; then
	skip "systemctl start ksmtop-exporter" "systemd runs here: the package test (tests/host/package_deb.t) starts it"
else
	skip "systemctl start ksmtop-exporter" "systemd is not PID 1 here ($(ps -o comm= -p 1)): no manager to start the unit"
fi
done_testing
