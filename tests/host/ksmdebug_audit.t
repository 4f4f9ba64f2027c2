#!/bin/bash
# The audit is exact: tenants of known sharing, ksmd until stable, then
# `ksmdebug audit` must find the cross-cgroup KSM frames page for page (an
# independent reader of pagemap and kpageflags in Python is the judge), agree
# with sysfs on the KSM frames and mappings, agree with what ksmadvise
# predicted before ksmd ran, and exit 3 exactly when sharing crosses a
# boundary the user names.  ksmtop -j carries the same sharing data.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/prom_lib.sh"
need_root
need_ksm
[ -n "$CGROOT" ] || skip_all "no cgroup v2 mount"
[ -r /proc/kpageflags ] || skip_all "no /proc/kpageflags"
plan 20
ksm_save

CG=/ksmaudit-$$
for c in t1/a t1/b t1 t2 other ""; do track_cgroup "$CG/$c"; done
"$BIN/ksmctl" set run=2 && "$BIN/ksmctl" set run=0 max_page_sharing=256 use_zero_pages=0 ||
	{ echo "Bail out! cannot reset KSM"; exit 1; }

# t1/a and t2 map the same 20 contents (20 KSM frames cross t1 <-> t2);
# t1/b and other have contents of their own (10 and 3 frames).
start_load A -n 400 -k 20 -s 61 -c "$CG/t1/a"
start_load B -n 100 -k 10 -s 62 -c "$CG/t1/b"
start_load C -n 100 -k 20 -s 61 -u 50 -c "$CG/t2"
start_load D -n 60 -k 3 -s 63 -c "$CG/other"

"$BIN/ksmadvise" -j -q -c "$CG" > "$TMP/pred.json"
"$BIN/ksmctl" set pages_to_scan=5000 sleep_millisecs=10 run=1
for p in $A $B $C $D; do "$BIN/ksmctl" wait-stable "$p" 120; done
"$BIN/ksmctl" wait-scans 2
# ksmd off: the frames hold still while we compare
"$BIN/ksmctl" set run=0

# The judge: every private mapping of the four processes through pagemap,
# each present frame's KPF_KSM bit, grouped by the process's cgroup.
oracle() {
	python3 - "$@" <<'EOF'
import struct, sys
frames = {}
kf = open("/proc/kpageflags", "rb")
for pid in sys.argv[1:]:
    cg = [l[3:].strip() for l in open(f"/proc/{pid}/cgroup") if l.startswith("0::")][0]
    pm = open(f"/proc/{pid}/pagemap", "rb")
    for line in open(f"/proc/{pid}/maps"):
        f = line.split()
        if f[1][3] != "p" or (len(f) > 5 and f[5] in ("[vsyscall]", "[vvar]", "[vdso]")):
            continue
        s, e = (int(x, 16) for x in f[0].split("-"))
        pm.seek(s // 4096 * 8)
        data = pm.read((e - s) // 4096 * 8)
        for i in range(len(data) // 8):
            ent = struct.unpack_from("<Q", data, i * 8)[0]
            if not ent >> 63 or (ent >> 61) & 1:
                continue
            pfn = ent & ((1 << 55) - 1)
            kf.seek(pfn * 8)
            if (struct.unpack("<Q", kf.read(8))[0] >> 21) & 1:
                frames.setdefault(pfn, set()).add(cg)
print(" ".join(str(p) for p in sorted(p for p, c in frames.items() if len(c) > 1)))
print(len(frames))
EOF
}
oracle $A $B $C $D > "$TMP/oracle"
"$BIN/ksmdebug" audit -j --frames -c "$CG" > "$TMP/audit.json"
is "audit -j without --boundary exits 0" "$?" 0
want=$(head -1 "$TMP/oracle")
got=$(jdoc "$TMP/audit.json" "' '.join(str(f['pfn']) for f in o['sharing']['frames'])")
is "the cross-cgroup frames, page for page, equal pagemap+kpageflags read in Python (20)" "$got" "$want"
is "20 frames cross cgroups" "$(echo "$want" | wc -w)" 20
is "KSM frames == the Python count (33)" \
	"$(jdoc "$TMP/audit.json" "o['sharing']['ksm_frames']") $(tail -1 "$TMP/oracle")" "33 33"
global_is "KSM frames == pages_shared, mappings == pages_shared + pages_sharing" \
	"$(jdoc "$TMP/audit.json" "(o['sharing']['ksm_frames'], o['sharing']['ksm_mappings'])")" \
	"($(sysfs pages_shared), $(($(sysfs pages_shared) + $(sysfs pages_sharing))))"
is "KSM mappings: 400 + 100 + 100 + 60" \
	"$(jdoc "$TMP/audit.json" "o['sharing']['ksm_mappings']")" 660
is "pairs: t1/a <-> t2, 20 frames" \
	"$(jdoc "$TMP/audit.json" "[(p['a'], p['b'], p['frames']) for p in o['sharing']['pairs']]")" \
	"[('$CG/t1/a', '$CG/t2', 20)]"
is "ksmadvise predicted the same pair before ksmd ran" \
	"$(jdoc "$TMP/pred.json" "[(p['a'], p['b'], p['ksm_pages']) for p in o['pairs']]")" \
	"[('$CG/t1/a', '$CG/t2', 20)]"
is "every frame lists both cgroups and its two mappers' pids" \
	"$(jdoc "$TMP/audit.json" "sorted(set((tuple(f['cgroups']), len(f['pids'])) for f in o['sharing']['frames']))")" \
	"[(('$CG/t1/a', '$CG/t2'), 2)]"

"$BIN/ksmdebug" audit -c "$CG" --boundary "$CG/*" > "$TMP/b1.txt" 2>&1
is "--boundary '$CG/*': t1 and t2 share: exit 3" "$?" 3
check "the text names the crossing pair and its 20 frames" grep -qE "^$CG/t1 +<-> +$CG/t2 +20 " "$TMP/b1.txt"
"$BIN/ksmdebug" audit -j -c "$CG" --boundary "$CG/*" > "$TMP/b1.json"
is "-j: the crossings, exit status 3" "$? $(jdoc "$TMP/b1.json" "[(c['a'], c['b'], c['frames']) for c in o['crossings']]")" \
	"3 [('$CG/t1', '$CG/t2', 20)]"
"$BIN/ksmdebug" audit -c "$CG" --boundary "$CG" > /dev/null 2>&1
is "one boundary around all of them: exit 0" "$?" 0
"$BIN/ksmdebug" audit -c "$CG" --boundary "$CG/t1" > "$TMP/b3.txt" 2>&1
is "only t1 a boundary: t2 is outside it, and shares: exit 3" "$?" 3
"$BIN/ksmdebug" audit --boundary relative/path > /dev/null 2>&1
is "a relative boundary is a usage error: exit 2" "$?" 2

"$BIN/ksmtop" -j 0.3 2 > "$TMP/top.json" 2> /dev/null
topj() {
	python3 -c '
import json, sys
d = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]["sharing"]
print(eval(sys.argv[3]))' "$TMP/top.json" "$CG/" "$1"
}
is "ksmtop -j: sharing.pairs has the pair (t1/a <-> t2, 20 frames)" \
	"$(topj "[(p['a'], p['b'], p['frames']) for p in d['pairs'] if p['a'].startswith(sys.argv[2])]")" \
	"[('$CG/t1/a', '$CG/t2', 20)]"
global_is "ksmtop -j: sharing.cross_cgroup_frames is 20" "$(topj "d['cross_cgroup_frames']")" 20
# The exporter: the total always, the pairs behind --prom-sharing-pairs.
if command -v promtool > /dev/null && command -v curl > /dev/null; then
	read -r PORT < <(free_ports 1)
	start_ksmtop TOP --web.listen-address "127.0.0.1:$PORT" --prom-sharing-pairs 3 0.3
	for i in $(seq 1 100); do
		curl -sf "http://127.0.0.1:$PORT/metrics" > "$TMP/metrics" 2>/dev/null &&
			grep -q '^ksm_cgroup_shared_frames' "$TMP/metrics" && break
		sleep 0.1
	done
	check "exporter: ksm_cgroup_shared_frames{a=t1/a,b=t2} 20" \
		grep -qxF "ksm_cgroup_shared_frames{a=\"$CG/t1/a\",b=\"$CG/t2\"} 20" "$TMP/metrics"
	promtool check metrics < "$TMP/metrics" > "$TMP/promtool.out" 2>&1
	is "exporter: promtool check metrics passes" "$?:$(cat "$TMP/promtool.out")" "0:"
else
	skip "exporter: ksm_cgroup_shared_frames" "promtool or curl missing (make deps)"
	skip "exporter: promtool check metrics passes" "promtool or curl missing (make deps)"
fi
"$BIN/ksmdebug" snapshot -j > "$TMP/snap.json" 2> /dev/null
is "ksmdebug snapshot -j carries the sharing data" \
	"$(jdoc "$TMP/snap.json" "o['sharing']['cross_cgroup_frames'] >= 20")" True
done_testing
