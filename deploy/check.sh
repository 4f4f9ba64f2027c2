#!/bin/bash
# make check-deploy: lint and test what deploy/ ships. Exits non-zero on the
# first tool that fails, saying which.
set -e
cd "$(dirname "$0")"
TMP=$(mktemp -d /tmp/ksmdeploy.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
echo "deploy: yamllint"
yamllint -s -c .yamllint .
echo "deploy: promtool check rules, test rules, check config"
promtool check rules prometheus/ksmtop.rules.yml
(cd prometheus && promtool test rules ksmtop.rules.test.yml)
promtool check config --syntax-only prometheus/scrape-hosts.yml
echo "deploy: the Grafana dashboard"
/usr/bin/python3 check_dashboard.py grafana/ksmtop.json ../docs/ksmtop.md \
	prometheus/ksmtop.rules.yml "$TMP/dashboard.rules.yml"
promtool check rules "$TMP/dashboard.rules.yml"
echo "deploy: all checks passed"
