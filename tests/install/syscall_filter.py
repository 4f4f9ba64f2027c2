#!/usr/bin/python3
"""syscall_filter.py UNIT SYSCALLS_FILE: the system calls of SYSCALLS_FILE
(one per line) that the unit's SystemCallFilter= lines would refuse.

The groups (@system-service, ...) are expanded from `systemd-analyze
syscall-filter`, recursively; the lines are applied in order as systemd
does: the first positive line makes an allow list, a line starting with ~
removes its calls from it, a later positive line adds to it."""
import subprocess
import sys


def groups():
    out = subprocess.run(["systemd-analyze", "syscall-filter"], check=True,
                         capture_output=True, text=True).stdout
    sets, cur = {}, None
    for line in out.splitlines():
        if line.startswith("@"):
            cur = sets.setdefault(line.strip(), [])
        elif cur is not None and line.strip() and not line.strip().startswith("#"):
            cur.append(line.strip())
    return sets


def expand(name, sets, seen=None):
    seen = seen if seen is not None else set()
    if not name.startswith("@"):
        return {name}
    if name in seen:
        return set()
    seen.add(name)
    calls = set()
    for member in sets[name]:
        calls |= expand(member, sets, seen)
    return calls


def allowed(unit, sets):
    allow = None
    for line in open(unit):
        if not line.startswith("SystemCallFilter="):
            continue
        value = line.split("=", 1)[1].strip()
        deny = value.startswith("~")
        calls = set()
        for word in value.lstrip("~").split():
            calls |= expand(word, sets)
        if allow is None:
            allow = set() if deny else calls
            continue
        allow = allow - calls if deny else allow | calls
    return allow


def main():
    sets = groups()
    allow = allowed(sys.argv[1], sets)
    if allow is None:
        return 0
    # calls every filter keeps (systemd's @default), then the measured ones
    allow |= expand("@default", sets)
    refused = [c.strip() for c in open(sys.argv[2]) if c.strip() and c.strip() not in allow]
    print("\n".join(refused))
    return 0


sys.exit(main())
