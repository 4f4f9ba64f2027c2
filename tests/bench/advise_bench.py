# SPDX-License-Identifier: GPL-2.0
"""The ksmadvise and sharing-walker rows of make bench.

For each size (256 MiB, 1 GiB, 4 GiB of anonymous memory: one ksmload, half
of it duplicates in 1024 contents, half unique pages):
  - ksmadvise -j on it, ksmd off, as shipped (nice 19, idle I/O): wall time
    to the answer, its CPU time (user + system, from wait4), pages hashed per
    CPU-second (each page is read and hashed in both samples), peak RSS;
    median of --advise-runs runs.  At 1 GiB also with --proc-mem.
  - ksmd on the same memory, sleep_millisecs=0: pages scanned per second of
    ksmd CPU over full scans once merging is done (steady state), and the
    ksmd CPU time from run=1 until pages_sharing stops growing (what ksmd
    pays to find the answer ksmadvise predicts).
  - the sharing walker (ksmdebug audit -j) once ksmd merged: pagemap
    entries and KSM frames per second of walk.
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import time

# bench.py imports this module for its section; its helpers serve both
from bench import cpu_ns, ksmd_pid, sysfs, wait_scans

SIZES_MIB = (256, 1024, 4096)


def ksmctl(bin_dir, *args):
    subprocess.run([f"{bin_dir}/ksmctl", *args], check=True)


def start_load(bin_dir, mib):
    pages = mib * 256
    p = subprocess.Popen([f"{bin_dir}/ksmload", "-n", str(pages // 2), "-k", "1024", "-u",
                          str(pages - pages // 2), "-s", "7"], stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line.startswith("ready"):
        sys.exit(f"bench: ksmload did not start: {line!r}")
    return p


def run_advise(bin_dir, pid, extra=()):
    """One ksmadvise run: (its JSON, wall s, CPU s, peak RSS MiB)."""
    t0 = time.monotonic()
    p = subprocess.Popen([f"{bin_dir}/ksmadvise", "-j", "-q", "-p", str(pid), *extra],
                         stdout=subprocess.PIPE)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    if status:
        sys.exit(f"bench: ksmadvise failed ({status}): {out[-300:]!r}")
    return json.loads(out), wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def advise_rows(bin_dir, pid, runs, extra=()):
    rs = [run_advise(bin_dir, pid, extra) for _ in range(runs)]
    o = rs[0][0]
    return {
        "pages": o["read"]["pages"],
        "wall": statistics.median(r[1] for r in rs),
        "wall_range": (min(r[1] for r in rs), max(r[1] for r in rs)),
        "cpu": statistics.median(r[2] for r in rs),
        "pps": statistics.median((r[0]["read"]["pages"] + r[0]["read"]["pages_reread"]) / r[2]
                                 for r in rs),
        "reread": o["read"]["pages_reread"],
        "rss": max(r[3] for r in rs),
        "merging": o["prediction"]["merging_pages"],
    }


def merging_pages(pid):
    with open(f"/proc/{pid}/ksm_stat") as f:
        for line in f:
            if line.startswith("ksm_merging_pages"):
                return int(line.split()[1])
    return -1


def ksmd_rows(bin_dir, ksmd):
    """ksmd from run=1 to merged (CPU to converge), then steady pages/CPU-s."""
    c0 = cpu_ns(ksmd)
    ksmctl(bin_dir, "set", "run=1")
    last = -1
    while True:
        wait_scans(1, 600)
        cur = sysfs("pages_sharing")
        if cur == last:
            break
        last = cur
    converge_cpu = (cpu_ns(ksmd) - c0) / 1e9
    c1, p1 = cpu_ns(ksmd), sysfs("pages_scanned")
    wait_scans(3, 600)
    steady = (sysfs("pages_scanned") - p1) / ((cpu_ns(ksmd) - c1) / 1e9)
    return {"converge_cpu": converge_cpu, "steady_pps": steady,
            "sharing": sysfs("pages_sharing"), "shared": sysfs("pages_shared")}


def walker_row(bin_dir):
    """The sharing walker through ksmdebug audit -j, if this tree has it."""
    if not os.access(f"{bin_dir}/ksmdebug", os.X_OK):
        return None
    t0 = time.monotonic()
    p = subprocess.run([f"{bin_dir}/ksmdebug", "audit", "-j"], capture_output=True, text=True)
    wall = time.monotonic() - t0
    try:
        o = json.loads(p.stdout)["sharing"]
    except (ValueError, KeyError):
        return None
    secs = o["walk_ms"] / 1000 or 1e-9
    return {"pages": o["pages_walked"], "mappings": o["ksm_mappings"],
            "frames": o["ksm_frames"], "secs": secs, "wall": wall,
            "pps": o["pages_walked"] / secs, "mps": o["ksm_mappings"] / secs}


def measure(args):
    bin_dir = args.bin
    saved = os.path.join(args.tmp, "advise.saved")
    ksmctl(bin_dir, "save", saved)
    rows = []
    try:
        ksmd = ksmd_pid()
        for mib in SIZES_MIB:
            ksmctl(bin_dir, "set", "run=2")
            ksmctl(bin_dir, "set", "run=0", "pages_to_scan=10000", "sleep_millisecs=0",
                   "use_zero_pages=0", "max_page_sharing=256")
            load = start_load(bin_dir, mib)
            try:
                r = {"mib": mib, "advise": advise_rows(bin_dir, load.pid, args.advise_runs)}
                if mib == 1024:
                    r["proc_mem"] = advise_rows(bin_dir, load.pid, args.advise_runs,
                                                ["--proc-mem"])
                r["ksmd"] = ksmd_rows(bin_dir, ksmd)
                ksmctl(bin_dir, "set", "run=0")
                r["ksmd"]["merging"] = merging_pages(load.pid)
                r["walker"] = walker_row(bin_dir)
                rows.append(r)
                print(f"bench: ksmadvise {mib} MiB: {r['advise']['wall']:.2f} s, "
                      f"{r['advise']['pps']:,.0f} pages/cpu-s; ksmd "
                      f"{r['ksmd']['steady_pps']:,.0f} pages/cpu-s", file=sys.stderr)
            finally:
                load.terminate()
                load.wait()
    finally:
        ksmctl(bin_dir, "set", "run=2")
        ksmctl(bin_dir, "restore", saved)
    return rows


def section(args):
    rows = measure(args)
    adv = "\n".join(
        f"| {r['mib']:,} MiB | {r['advise']['pages']:,} | {r['advise']['wall']:.2f} "
        f"[{r['advise']['wall_range'][0]:.2f}..{r['advise']['wall_range'][1]:.2f}] | "
        f"{r['advise']['cpu']:.2f} | {r['advise']['pps']:,.0f} | {r['advise']['rss']:.0f} | "
        f"{r['ksmd']['steady_pps']:,.0f} | {r['ksmd']['converge_cpu']:.2f} | "
        f"{r['advise']['merging']:,} / {r['ksmd']['merging']:,} |" for r in rows)
    pm = [r for r in rows if "proc_mem" in r]
    pm_text = ""
    if pm:
        a, b = pm[0]["advise"], pm[0]["proc_mem"]
        pm_text = (f"\nAt 1 GiB, reading through /proc/PID/mem (`--proc-mem`) instead of "
                   f"process_vm_readv: {b['wall']:.2f} s, {b['cpu']:.2f} s CPU, "
                   f"{b['pps']:,.0f} pages hashed per CPU-second (process_vm_readv: "
                   f"{a['cpu']:.2f} s CPU, {a['pps']:,.0f}).\n")
    walk = [r for r in rows if r["walker"]]
    walk_text = "\nThe sharing walker: not measured (this tree has no `ksmdebug audit`).\n"
    if walk:
        walk_text = """
The sharing walker (`ksmdebug audit -j`, once ksmd merged the workload: every KSM user's
private VMAs through pagemap, kpageflags for every non-exclusive present page, kpagecgroup
per KSM frame):

| memory | pagemap entries (pages walked) | KSM mappings | KSM frames | walk s | pages walked/s | KSM mappings/s | audit wall s |
|---|---|---|---|---|---|---|---|
""" + "\n".join(
            f"| {r['mib']:,} MiB | {r['walker']['pages']:,} | {r['walker']['mappings']:,} | "
            f"{r['walker']['frames']:,} | {r['walker']['secs']:.3f} | {r['walker']['pps']:,.0f} | "
            f"{r['walker']['mps']:,.0f} | {r['walker']['wall']:.2f} |" for r in walk) + "\n"
    return f"""
## ksmadvise: the answer before ksmd runs

One ksmload per size: half of its pages duplicates in 1024 contents, half unique. `ksmadvise -j
-p PID` as shipped (nice 19, idle I/O class, no rate limit), ksmd off: wall time to the answer
(median [min..max] of {args.advise_runs} runs), CPU time (user + system), pages hashed per
CPU-second (the first sample reads and hashes every page, the second only the
{rows[0]['advise']['reread'] * 100 // max(rows[0]['advise']['pages'], 1)}% whose hash another page shares), peak RSS. Then ksmd on the same memory
(pages_to_scan=10000, sleep_millisecs=0): its pages scanned per CPU-second in steady state (3
full scans after merging stopped), and the ksmd CPU time from run=1 until pages_sharing
stopped growing. The last column is the workload's merging pages as ksmadvise predicted them and
as its ksm_stat says after ksmd (per process: other KSM users on the host do not count).

| memory | pages | ksmadvise wall s | CPU s | pages hashed / CPU-s | peak RSS MiB | ksmd pages scanned / CPU-s | ksmd CPU s to merge | merging pages predicted / real |
|---|---|---|---|---|---|---|---|---|
{adv}
{pm_text}{walk_text}"""
