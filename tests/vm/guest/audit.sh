# SPDX-License-Identifier: GPL-2.0
# The sharing audit on the patched kernel: `ksmdebug audit --boundary`
# is the proof that ksmpolicy's isolation holds.  Sourced by run.sh after
# lib.sh and policy.sh (pol_* helpers), run once:
#   run.sh sharing=1   (by default with the isolate policy scenario; sharing=0 for none)
# Two tenants with the same contents: without rules their pages share KSM
# frames and the audit exits 3 naming the pair; with `isolate` on both it
# exits 0, and the frames it lists agree with ksmpfn (pagemap+kpageflags).

audit_suite() {
	PFX="[audit] "
	if ! command -v ksmdebug > /dev/null; then
		skip "audit" "ksmdebug not in the initramfs"
		PFX=
		return
	fi
	pol_reset
	pol_cg aud_t1 aud_t2
	WL_CGROUP=$CG/aud_t1 wl_start a -n 512 -c 8 -s 303
	WL_CGROUP=$CG/aud_t2 wl_start b -n 256 -c 8 -s 303
	pa=$(wl_pid a) pb=$(wl_pid b)

	# no rules: the two tenants share the 8 KSM frames
	kset run 1
	wait_until 180 "[ \$(kstat $pa ksm_merging_pages) -eq 512 ] && [ \$(kstat $pb ksm_merging_pages) -eq 256 ]"
	wait_scans 2
	kset run 0
	ksmdebug audit --boundary '/aud_t*' > /tmp/aud.txt 2>&1
	rc=$?
	sed 's/^/# /' /tmp/aud.txt | head -n 20
	check "audit: without rules, --boundary '/aud_t*' exits 3" "exit $rc" "$rc" = 3
	check "audit: the crossing pair is named (/aud_t1 <-> /aud_t2, 8 frames)" \
		"$(head -c 400 /tmp/aud.txt | tr '\n' '|')" \
		"$(grep -c '^/aud_t1  *<->  */aud_t2  *8 ' /tmp/aud.txt)" = 1
	ksmdebug audit -j --frames --boundary '/aud_t*' > /tmp/aud.json
	ksmpfn $pa 512 > /tmp/pfn.a
	ksmpfn $pb 256 > /tmp/pfn.b
	# ksmpfn prints frames in hex, the audit's JSON in decimal
	common=$(grep -v '^#' /tmp/pfn.a | grep -xF -f - /tmp/pfn.b | sort -u |
		while read -r x; do printf '%d\n' "0x$x"; done | sort -n | tr '\n' ' ')
	listed=$(tr '{' '\n' < /tmp/aud.json | grep '"cgroups":\["/aud_t1","/aud_t2"\]' |
		sed 's/.*"pfn":\([0-9]*\).*/\1/' | sort -n -u | tr '\n' ' ')
	check "audit: the frames it lists are the ones ksmpfn finds in both tenants" \
		"audit: $listed, ksmpfn: $common" -n "$common" -a "$listed" = "$common"

	# isolate both tenants: ksmd unshares the old frames and merges within
	ksmpolicy -q set /aud_t1 isolate && ksmpolicy -q set /aud_t2 isolate ||
		notok "audit: ksmpolicy set isolate" "failed"
	kset run 1
	wait_until 180 '[ $(kget pages_shared) -eq 16 ]'
	wait_scans 3
	kset run 0
	ksmdebug audit --boundary '/aud_t*' > /tmp/aud2.txt 2>&1
	rc=$?
	sed 's/^/# /' /tmp/aud2.txt | head -n 10
	check "audit: with isolate rules, --boundary '/aud_t*' exits 0 (pages_shared $(kget pages_shared))" \
		"exit $rc: $(head -c 300 /tmp/aud2.txt | tr '\n' '|')" "$rc" = 0
	ksmdebug audit --boundary '/aud_t1' > /dev/null 2>&1
	rc=$?
	check "audit: a boundary that holds (t1 alone) exits 0 too" "exit $rc" "$rc" = 0
	wl_stop a
	wl_stop b
	pol_reset
	pol_rmcg aud_t1 aud_t2
	PFX=
}
