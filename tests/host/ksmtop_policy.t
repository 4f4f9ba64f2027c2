#!/bin/bash
# ksmtop shows the KSM policy rule in force per cgroup.  The host kernel has
# no ksm_bpf_ops, so the rules map of the built-in policy is made here with
# bpftool, the way ksmpolicy pins it ($KSMPOLICY_PIN_DIR/rules, key cgroup
# id, value struct ksm_policy_rule): ksmtop only reads it.  The policy itself
# is tested in the VM (tests/vm/guest/policy.sh).
source "$(dirname "$0")/lib.sh"
need_root
need_ksm
command -v bpftool > /dev/null || skip_all "no bpftool"
[ -n "$CGROOT" ] || skip_all "no cgroup v2 mount"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || skip_all "no bpffs"
plan 5
ksm_save
"$BIN/ksmctl" set run=0

CG=/ksmtop-policy-$$
PIN=/sys/fs/bpf/ksmtop_test_$$
mkdir -p "$CGROOT$CG/t/web" "$CGROOT$CG/b" && track_cgroup "$CG/t/web" && track_cgroup "$CG/t" &&
	track_cgroup "$CG/b" && track_cgroup "$CG"
trap 'cleanup; rm -rf "$PIN"; rmdir "$CGROOT$CG/t/web" "$CGROOT$CG/t" "$CGROOT$CG/b" "$CGROOT$CG" 2>/dev/null' EXIT
mkdir -m 0700 -p "$PIN"	# as ksmpolicy makes it: a looser one is refused
bpftool map create "$PIN/rules" type hash key 8 value 16 entries 64 name rules ||
	{ echo "Bail out! bpftool map create"; exit 1; }

# hex bytes of a little-endian u64 / u32
le64() { printf '%016x' "$1" | sed 's/../& /g' | awk '{ for (i = 8; i >= 1; i--) printf "0x%s ", $i }'; }
le32() { printf '%08x' "$1" | sed 's/../& /g' | awk '{ for (i = 4; i >= 1; i--) printf "0x%s ", $i }'; }
id_of() { stat -c %i "$CGROOT$1"; }
# rule CGROUP ACTION FLAGS WEIGHT (enum ksm_policy_action: 1 allow, 2 deny, 3 isolate)
rule() {
	bpftool map update pinned "$PIN/rules" key $(le64 "$(id_of "$1")") \
		value $(le32 "$2") $(le32 "$3") $(le32 "$4") $(le32 0)
}
rule "$CG/t" 3 0 0	# /t isolate
rule "$CG/t/web" 0 1 4	# /t/web weight 4 (action inherited)
rule "$CG/b" 2 0 0	# /b deny

start_load A -n 64 -k 4 -c "$CG/t/web"
start_load B -n 64 -k 4 -c "$CG/b"
start_load C -n 64 -k 4
KSMPOLICY_PIN_DIR=$PIN "$BIN/ksmtop" -j 0.2 1 > "$TMP/top.json" 2> "$TMP/top.err"
is "ksmtop -j with a pinned rules map: exit 0" "$?" 0
pol() {
	python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read().splitlines()[-1])
for c in d["cgroups"]:
    if c["cgroup"] == sys.argv[2]:
        print(c.get("policy"))' "$TMP/top.json" "$1"
}
is "the rule in force for $CG/t/web: isolate (inherited) with its own weight 4" "$(pol "$CG/t/web")" "isolate w4"
is "the rule in force for $CG/b: deny" "$(pol "$CG/b")" "deny"
is "a cgroup without a rule: allow (the default)" "$(pol /)" "allow"
KSMPOLICY_PIN_DIR=/sys/fs/bpf/no-such-$$ "$BIN/ksmtop" -j 0.2 1 > "$TMP/none.json" 2>/dev/null
n=$(python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read().splitlines()[-1])
print(sum(1 for c in d["cgroups"] if c.get("policy") is not None))' "$TMP/none.json")
is "without a pinned policy: no rule shown (policy null)" "$n" 0
done_testing
