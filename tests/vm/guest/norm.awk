# SPDX-License-Identifier: GPL-2.0
# Turn tracefs lines (ksm events) or ksmsnoop -j JSON lines into one common
# form, one event a line: "event=NAME key=value ...", with the ksmsnoop field
# names (node, pfn, nid, new_pfn, new_nid, reason, result, rmap_items, chain,
# removed, busy, err, src_uptodate true/false).  Null or zero pointers become 0.
# A merge domain (from, to, domain) of never (JSON null, 2^64-1 in tracefs)
# becomes "never".
function dom(v) {
	return v == "null" || v == "18446744073709551615" ? "never" : v
}
function ptr(v) {
	if (v == "null" || v == "(null)" || v ~ /^(0x)?0+$/)
		return "0"
	return v
}
function key(k) {
	if (k == "stable_node") return "node"
	if (k == "kpfn" || k == "old_kpfn" || k == "old_pfn") return "pfn"
	if (k == "new_kpfn") return "new_pfn"
	if (k == "old_nid") return "nid"
	if (k == "uptodate") return "src_uptodate"
	if (k == "dup") return "node"
	return k
}
/^\{/ {
	line = $0
	out = ""
	while (match(line, /"[a-z_0-9]+":("[^"]*"|[^,}]*)/)) {
		kv = substr(line, RSTART, RLENGTH)
		line = substr(line, RSTART + RLENGTH)
		c = index(kv, ":")
		k = substr(kv, 2, c - 3)
		v = substr(kv, c + 1)
		gsub(/"/, "", v)
		gsub(/ /, "_", v)
		if (k == "node" || k == "chain" || k == "mm")
			v = ptr(v)
		if (k == "from" || k == "to" || k == "domain")
			v = dom(v)
		if (k == "event")
			out = "event=" v out
		else if (k != "ts_ns" && k != "comm" && k != "cgroup")
			out = out " " k "=" v
	}
	print out
	next
}
{
	for (i = 1; i <= NF; i++)
		if ($i ~ /^ksm_[a-z_]+:$/)
			break
	if (i > NF)
		next
	ev = substr($i, 5, length($i) - 5)
	out = "event=" ev
	for (j = i + 1; j < NF; j += 2) {
		k = key($j)
		v = $(j + 1)
		if (k == "node" || k == "chain" || k == "mm")
			v = ptr(v)
		if (k == "from" || k == "to" || k == "domain")
			v = dom(v)
		if (k == "src_uptodate")
			v = v == "1" ? "true" : "false"
		out = out " " k "=" v
	}
	print out
}
