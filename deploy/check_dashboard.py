#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check the Grafana dashboard: its structure (what Grafana needs to load it),
and every query: PromQL that promtool parses, naming only metrics that the
exporter documents (docs/ksmtop.md) or the rules record.

check_dashboard.py DASHBOARD.json DOCS.md RULES.yml OUT_RULES.yml
Writes every query as a recording rule into OUT_RULES.yml for `promtool check
rules` (the caller runs it); exits 1 with the problems on stderr.
"""
import json
import re
import sys

import yaml


def structure(d, errs):
    for k in ("title", "uid", "panels", "schemaVersion", "templating"):
        if k not in d:
            errs.append(f"dashboard: no {k}")
    ids, exprs = set(), []
    for p in d.get("panels", []):
        where = f"panel {p.get('id')} '{p.get('title')}'"
        if p.get("id") in ids:
            errs.append(f"{where}: id used twice")
        ids.add(p.get("id"))
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in "hwxy") or g["x"] + g["w"] > 24:
            errs.append(f"{where}: gridPos must be h, w, x, y within 24 columns")
        refs = [t.get("refId") for t in p.get("targets", [])]
        if not refs or len(set(refs)) != len(refs):
            errs.append(f"{where}: targets need distinct refIds")
        for t in p.get("targets", []):
            if not t.get("expr"):
                errs.append(f"{where}: a target without expr")
            else:
                exprs.append((where, t["expr"]))
    names = [v.get("name") for v in d.get("templating", {}).get("list", [])]
    for where, e in exprs:
        for var in re.findall(r"\$(\w+)", e):
            if not var.startswith("__") and var not in names:
                errs.append(f"{where}: ${var} is no dashboard variable")
    return exprs


def known_names(docs, rules):
    names = set(re.findall(r"`(ksm_[a-z_]+)", open(docs).read()))
    for g in yaml.safe_load(open(rules))["groups"]:
        names |= {r["record"] for r in g["rules"] if "record" in r}
    return names


def main(dash, docs, rules, out):
    errs = []
    exprs = structure(json.load(open(dash)), errs)
    names = known_names(docs, rules)
    out_rules = []
    for i, (where, e) in enumerate(exprs):
        q = e.replace("$__rate_interval", "5m").replace("$__interval", "1m")
        q = re.sub(r"\$\w+", ".*", q)
        for n in re.findall(r"\b((?:ksm_|instance:|workload:)[a-z_:0-9]+)", q):
            base = re.sub(r"_(bucket|sum|count)$", "", n)
            if n not in names and base not in names:
                errs.append(f"{where}: {n} is not a documented metric or recorded rule")
        out_rules.append({"record": f"dashboard:query_{i}", "expr": q})
    yaml.safe_dump({"groups": [{"name": "dashboard", "rules": out_rules}]}, open(out, "w"))
    for e in errs:
        print(f"{dash}: {e}", file=sys.stderr)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
