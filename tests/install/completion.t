#!/bin/bash
# Bash completion (deploy/bash-completion/ksm-bpf): every command has one,
# and what Tab offers comes from the tools and the system: event names from
# ksmsnoop --list-events, sort keys from ksmtop --list-sort-keys, commands
# and options from --help, cgroups from the cgroup v2 mount, pids of the
# processes that use KSM from /proc/PID/ksm_stat.
# COMPLETION=- tests the file bash-completion's loader finds (an installed
# package); BIN is where the commands are.
source "$(dirname "$0")/lib.sh"
COMPLETION=${COMPLETION:-$TOP/deploy/bash-completion/ksm-bpf}
HELPERS=${HELPERS:-$BIN}
[ -r /usr/share/bash-completion/bash_completion ] || skip_all "bash-completion is not installed"
plan 16

tab() { PATH=$BIN:$PATH bash "$TOP/tests/install/complete.sh" "$COMPLETION" "$1" | sort; }
sorted() { tr ' ' '\n' | sed '/^$/d' | sort; }

missing=""
for t in $TOOLS; do
	tab "$t --" > "$TMP/opts" 2>/dev/null || { missing+=" $t"; continue; }
	for o in $(long_options "$t"); do
		# a command's options come after the command; the tool's own before
		grep -q -- "^$o=\?$" "$TMP/opts" || [ -n "$(subcommands "$t")" ] || missing+=" $t:$o"
	done
done
is "every command completes, with every option of its --help" "${missing# }" ""

is "ksmsnoop -e <Tab>: the event names of ksmsnoop --list-events" \
	"$(tab 'ksmsnoop -e ')" "$("$BIN/ksmsnoop" --list-events | sort)"
got=$(tab 'ksmsnoop --events=merge_one_page,remove_r')
is "ksmsnoop --events=A,B<Tab>: the list's last item" "$got" "merge_one_page,remove_rmap_item"

keys=$(tab 'ksmtop -s ')
is "ksmtop -s <Tab>: the keys of ksmtop --list-sort-keys" "$keys" \
	"$("$BIN/ksmtop" --list-sort-keys | sort)"
bad=""
for k in $keys; do "$BIN/ksmtop" -s "$k" --help > /dev/null 2>&1 || bad+=" $k"; done
is "ksmtop takes every sort key offered" "${bad# }" ""
is "ksmtop --sort=m<Tab>" "$(tab 'ksmtop --sort=m' | tr '\n' ' ')" "merges merging mode "
check "ksmtop --web.<Tab>: the exporter's options" \
	grep -qx -- "--web.listen-address=" <<< "$(tab 'ksmtop --web.')"

for t in ksmdebug ksmpolicy; do
	cmds=$(tab "$t ")
	bad=""
	for c in $cmds; do "$BIN/$t" "$c" --help > /dev/null 2>&1 || bad+=" $c"; done
	if [ "$(wc -w <<< "$cmds")" -ge 5 ] && [ -z "$bad" ]; then
		ok "$t <Tab>: its commands ($(echo $cmds))"
	else
		not_ok "$t <Tab>: its commands" "offered: $(echo $cmds); refused:$bad"
	fi
done
is "ksmdebug record --o<Tab>: the command's options" "$(tab 'ksmdebug record --o')" "--output="
is "ksmpolicy set CGROUP <Tab>: the rule words" "$(tab 'ksmpolicy set /a ' | tr '\n' ' ')" \
	"allow deny isolate weight "

# cgroups: a scratch tree below the cgroup v2 mount (root only)
cgroot=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
cg=/ksm-complete-$$
if [ "$(id -u)" = 0 ] && [ -n "$cgroot" ] && mkdir -p "$cgroot$cg/a b" "$cgroot$cg/c"; then
	is "ksmsnoop -c /cg/<Tab>: the cgroups below" "$(tab "ksmsnoop -c $cg/" | tr '\n' '|')" \
		"$cg/a b/|$cg/c/|"
	is "ksmtop -c <mount>/cg/c<Tab>: the full path" "$(tab "ksmtop -c $cgroot$cg/c")" \
		"$cgroot$cg/c/"
	check "ksmpolicy explain <Tab>: cgroups too" grep -qx "$cg/" <<< "$(tab 'ksmpolicy explain ')"
	rmdir "$cgroot$cg/a b" "$cgroot$cg/c" "$cgroot$cg"
else
	for n in 1 2 3; do skip "cgroup completion $n" "needs root and a cgroup v2 mount"; done
fi

# pids: a process that opted in to KSM is offered, one that did not is not
"$HELPERS/ksmload" -n 16 > "$TMP/load" &
load=$!
sleep 30 &
idle=$!
for i in $(seq 1 100); do grep -q '^ready' "$TMP/load" && break; sleep 0.05; done
pids=$(tab 'ksmtop -p ')
check "ksmtop -p <Tab>: a process that uses KSM ($load)" grep -qx "$load" <<< "$pids"
if grep -qx "$idle" <<< "$pids"; then
	not_ok "ksmtop -p <Tab>: not a process that does not ($idle)"
else
	ok "ksmtop -p <Tab>: not a process that does not ($idle)"
fi
kill "$load" "$idle"
wait "$load" "$idle" 2> /dev/null
done_testing
