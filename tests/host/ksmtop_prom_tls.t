#!/bin/bash
# --web.config.file: a real Prometheus scrapes the exporter over HTTPS with
# basic auth (a self-signed certificate and a bcrypt hash made here), and
# its query API returns the per-cgroup series of a nested tree (a parent with
# a workload of its own and two children with theirs): the subtree series is
# the sum of ksm_stat over the subtree, the own series the parent's process
# alone, and the own series of the tree add up to its subtree. A wrong or missing
# password gets 401, plain HTTP to the TLS port gets no metrics, TLS 1.1 is
# refused, and a bad config file stops ksmtop with FILE: what is wrong.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/prom_lib.sh"
need_root
need_ksm
need_prometheus
command -v openssl > /dev/null || skip_all "openssl is not installed"
HASH=$(python3 -W ignore -c '
import crypt
print(crypt.crypt("pr0m-s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10)))' 2>/dev/null)
[ "${HASH:0:4}" = '$2b$' ] || skip_all "python3 cannot make a bcrypt hash here"
plan 17
ksm_save
"$BIN/ksmctl" set run=1 pages_to_scan=2000 sleep_millisecs=10

CG=/ksmtop-tls-$$
[ -n "$CGROOT" ] || skip_all "no cgroup v2 mount"
track_cgroup "$CG/c1"
track_cgroup "$CG/c2"
trap 'cleanup; rmdir "$CGROOT$CG" 2>/dev/null' EXIT
read -r PORT PPORT < <(free_ports 2)

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
	-subj /CN=ksmtop-test -addext subjectAltName=IP:127.0.0.1 \
	-keyout "$TMP/server.key" -out "$TMP/server.crt" 2> "$TMP/openssl.err" ||
	{ echo "Bail out! openssl: $(cat "$TMP/openssl.err")"; exit 1; }
# Relative paths: relative to the config file, as exporter-toolkit reads them.
cat > "$TMP/web.yml" <<EOT
tls_server_config:
  cert_file: server.crt
  key_file: server.key
basic_auth_users:
  prometheus: $HASH
EOT

# The parent's own workload first: a cgroup with processes can still get
# children (no controller is enabled below it).
start_load A -n 1000 -k 2 -s 54 -c "$CG"
start_load B -n 600 -k 3 -s 55 -c "$CG/c1"
start_load C -n 400 -k 1 -s 56 -c "$CG/c2"
"$BIN/ksmctl" wait-merged "$A" 1000 60 && "$BIN/ksmctl" wait-merged "$B" 600 60 &&
	"$BIN/ksmctl" wait-merged "$C" 400 60 && "$BIN/ksmctl" wait-stable "$A" 60 ||
	diag "the workloads did not all merge: $(ksm_stat "$A" ksm_merging_pages)" \
		"$(ksm_stat "$B" ksm_merging_pages) $(ksm_stat "$C" ksm_merging_pages)"
# subtree_sum KEY: KEY of ksm_stat summed over every process in $CG's subtree,
# found through cgroup.procs (not through the pids this test started).
subtree_sum() {
	local f p n=0 v
	while read -r f; do
		while read -r p; do
			v=$(ksm_stat "$p" "$1")
			n=$((n + ${v:-0}))
		done < "$f"
	done < <(find "$CGROOT$CG" -name cgroup.procs)
	echo "$n"
}
start_ksmtop TOP --web.listen-address "127.0.0.1:$PORT" --web.config.file "$TMP/web.yml" 0.5
U="https://127.0.0.1:$PORT"
C=(curl -s --cacert "$TMP/server.crt" -o "$TMP/body" -w '%{http_code}')
sleep 1
is "HTTPS with the password: 200" "$("${C[@]}" -u prometheus:pr0m-s3cret "$U/metrics")" 200
grep -q '^ksm_cgroup_merging_pages{cgroup="'"$CG"'"}' "$TMP/body" && ok "... and the metrics" ||
	not_ok "metrics over HTTPS" "$(head -c 300 "$TMP/body")"
is "wrong password: 401" "$("${C[@]}" -u prometheus:wrong "$U/metrics")" 401
is "no password: 401" "$("${C[@]}" "$U/metrics")" 401
is "unknown user: 401" "$("${C[@]}" -u root:pr0m-s3cret "$U/metrics")" 401
is "/healthz needs no password (probes)" "$("${C[@]}" "$U/healthz")" 200
code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "http://127.0.0.1:$PORT/metrics")
[ "$code" != 200 ] && ok "plain HTTP to the TLS port gets no metrics (curl: $code)" ||
	not_ok "plain HTTP to the TLS port" "got $code"
code=$("${C[@]}" --tls-max 1.1 -u prometheus:pr0m-s3cret "$U/metrics")
[ "$code" != 200 ] && ok "TLS 1.1 is refused (min_version TLS12 by default)" ||
	not_ok "TLS 1.1 refused" "got $code"

start_prometheus "$PPORT" "global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ksmtop
    scheme: https
    tls_config:
      ca_file: $TMP/server.crt
    basic_auth:
      username: prometheus
      password: pr0m-s3cret
    static_configs:
      - targets: ['127.0.0.1:$PORT']"
got=$(wait_query 'up{job="ksmtop"}')
is "Prometheus scrapes over HTTPS with basic auth: up" "$got:$(target_health)" "1:up"
want=$(subtree_sum ksm_merging_pages)
got=$(wait_query "ksm_cgroup_subtree_merging_pages{cgroup=\"$CG\"}")
diag "query ksm_cgroup_subtree_merging_pages{cgroup=\"$CG\"}: $got, ksm_stat over the subtree: $want"
is "Prometheus' API: the parent's subtree series is ksm_stat summed over its subtree ($want pages)" \
	"$got" "$want"
[ "$want" -ge 2000 ] && ok "... which holds all three workloads ($want >= 2000 pages)" ||
	not_ok "all three workloads merged" "ksm_stat over the subtree: $want"
want=$(ksm_stat "$A" ksm_merging_pages)
got=$(wait_query "ksm_cgroup_merging_pages{cgroup=\"$CG\"}")
diag "query ksm_cgroup_merging_pages{cgroup=\"$CG\"}: $got, the parent's own process: $want"
is "... its own series is the parent's process alone ($want pages)" "$got" "$want"
got=$(wait_query "ksm_cgroup_subtree_processes{cgroup=\"$CG\"}"):$(wait_query \
	"ksm_cgroup_processes{cgroup=\"$CG\"}")
is "... 3 KSM processes in the subtree, 1 of its own" "$got" "3:1"
# In one evaluation: the sum of the tree's own series, kept only if it equals the subtree series.
want=$(subtree_sum ksm_merging_pages)
got=$(wait_query "sum(ksm_cgroup_merging_pages{cgroup=~\"$CG(/.*)?\"}) == on () ksm_cgroup_subtree_merging_pages{cgroup=\"$CG\"}" 50)
is "... the own series of the tree add up to its subtree series, no process twice ($want)" "$got" "$want"
kill "$PROM" 2>/dev/null; wait "$PROM" 2>/dev/null
kill -INT "$TOP"; wait "$TOP"

# Bad config files: FILE: what is wrong, exit 1, nothing served.
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.crt\n' > "$TMP/bad1.yml"
out=$("$BIN/ksmtop" --web.listen-address "127.0.0.1:$PORT" --web.config.file "$TMP/bad1.yml" 1 1 2>&1)
rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "^ksmtop: $TMP/bad1.yml: key_file $TMP/server.crt holds no PEM private key$" &&
	ok "a certificate given as the key: $(echo "$out" | head -n 1)" || not_ok "cert as key" "rc $rc: $out"
printf 'basic_auth_users:\n  prometheus: %s\ntls_server_config:\n  cert_file: server.crt\n  keyfile: server.key\n' \
	"$HASH" > "$TMP/bad2.yml"
out=$("$BIN/ksmtop" --web.listen-address "127.0.0.1:$PORT" --web.config.file "$TMP/bad2.yml" 1 1 2>&1)
rc=$?
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
	-subj /CN=other -keyout "$TMP/other.key" -out "$TMP/other.crt" 2> /dev/null
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: other.key\n' > "$TMP/bad3.yml"
out3=$("$BIN/ksmtop" --web.listen-address "127.0.0.1:$PORT" --web.config.file "$TMP/bad3.yml" 1 1 2>&1)
rc3=$?
[ $rc3 = 1 ] && echo "$out3" | grep -q "^ksmtop: $TMP/bad3.yml: cert_file .* and key_file .*: " &&
	ok "a key of another certificate: $out3" || not_ok "mismatched key" "rc $rc3: $out3"
[ $rc = 1 ] && [ "$out" = "ksmtop: $TMP/bad2.yml:5: unknown key tls_server_config.keyfile" ] &&
	ok "a misspelt key: $out" || not_ok "misspelt key" "rc $rc: $out"
done_testing
