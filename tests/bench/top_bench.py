# SPDX-License-Identifier: GPL-2.0
"""The ksmtop-at-scale rows of make bench: what one sample costs with many KSM
processes, read by the BPF task iterator and through /proc.

For each size, ksmload -F makes N small KSM processes (2 identical pages each)
spread over G cgroups; ksmd merges them and is stopped (run=0), so that every
sample reads the same state. Then:
  - ksmtop -j (iterator) and ksmtop -j --no-bpf-iter (/proc, the baseline):
    CPU time of one sample (sample_cpu_seconds: the sampling thread's user +
    system time for reading the kernel, the sums and the rows, not printing),
    median [min..max] over --top-samples samples;
  - the peer: procps top -b, which reads /proc for every process at each
    refresh; its CPU per refresh is the CPU of a run with more refreshes
    minus one with fewer, divided by the difference;
  - at 10,000 processes, ksmtop -b -r 20 1 as a user runs it, for
    --top-window seconds: its share of one core (every thread's schedstat run
    time), with the iterator and with /proc, the sharing walker off; and as
    shipped, with the walker's default budget.
"""
import json
import os
import statistics
import subprocess
import sys
import time

# bench.py imports this module for its section; its helpers serve both
from bench import cpu_ns, sysfs

SIZES = ((100, 10), (1000, 10), (10000, 100), (10000, 1000))


def ksmctl(bin_dir, *args):
    subprocess.run([f"{bin_dir}/ksmctl", *args], check=True)


def cgroot():
    out = subprocess.run(["findmnt", "-n", "-t", "cgroup2", "-o", "TARGET"],
                         capture_output=True, text=True).stdout.split()
    if not out:
        sys.exit("bench: no cgroup v2 mount")
    return out[0]


class Procs:
    """ksmload -F n over g cgroups under /ksmtop-bench-PID; merged, ksmd off."""

    def __init__(self, bin_dir, n, g):
        self.cg = f"/ksmtop-bench-{os.getpid()}"
        self.p = subprocess.Popen([f"{bin_dir}/ksmload", "-F", str(n), "-n", "2", "-s", "9",
                                   "-c", self.cg, "-G", str(g)],
                                  stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        if not line.startswith("ready"):
            self.stop()
            sys.exit(f"bench: ksmload -F {n} did not start: {line!r}")
        ksmctl(bin_dir, "set", "pages_to_scan=20000", "sleep_millisecs=10", "run=1")
        # merged: pages_sharing stops growing over two full scans
        last = -1
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            scans = sysfs("full_scans")
            while sysfs("full_scans") < scans + 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            if sysfs("pages_sharing") == last:
                break
            last = sysfs("pages_sharing")
        ksmctl(bin_dir, "set", "run=0")

    def stop(self):
        self.p.terminate()
        self.p.wait()
        root = cgroot() + self.cg
        for d in sorted((os.path.join(root, e) for e in os.listdir(root)
                         if e.startswith("g")) if os.path.isdir(root) else [], reverse=True):
            try:
                os.rmdir(d)
            except OSError:
                pass
        try:
            os.rmdir(root)
        except OSError:
            pass


def sample_cpu(bin_dir, samples, extra=()):
    """ms of CPU per ksmtop sample: median, min, max; and how many processes it listed."""
    out = subprocess.run([f"{bin_dir}/ksmtop", "-j", "-r", "5", *extra, "0.5", str(samples)],
                         capture_output=True, text=True).stdout
    docs = [json.loads(line) for line in out.splitlines() if line.strip()]
    if len(docs) != samples:
        sys.exit(f"bench: ksmtop printed {len(docs)} of {samples} samples")
    ms = [d["global"]["sample_cpu_seconds"] * 1000 for d in docs]
    listed = max((c["subtree"]["processes"] for c in docs[-1]["cgroups"] if c["cgroup"] == "/"),
                 default=0)
    return statistics.median(ms), min(ms), max(ms), listed, docs[-1]["sources"]["processes"]


def top_refresh_ms(refreshes):
    """procps top: CPU ms per refresh (a run of refreshes + 2 minus one of 2)."""
    def cpu(n):
        p = subprocess.Popen(["top", "-b", "-d", "0.5", "-n", str(n), "-w", "200"],
                             stdout=subprocess.DEVNULL, env=dict(os.environ, LC_ALL="C"))
        _, _, ru = os.wait4(p.pid, 0)
        return ru.ru_utime + ru.ru_stime
    return (cpu(refreshes + 2) - cpu(2)) / refreshes * 1000


def process_cpu_ns(pid):
    """Every thread's run time (ksmtop's exporter and walker have their own)."""
    total = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            total += cpu_ns(f"{pid}/task/{t}")
        except OSError:
            pass
    return total


def core_share(bin_dir, window, extra=()):
    """% of one core that ksmtop -b -r 20 1 uses over window seconds, after its start."""
    p = subprocess.Popen([f"{bin_dir}/ksmtop", "-b", "-r", "20", *extra, "1"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3)
    c0, t0 = process_cpu_ns(p.pid), time.monotonic()
    time.sleep(window)
    c1, t1 = process_cpu_ns(p.pid), time.monotonic()
    p.terminate()
    p.wait()
    return 100.0 * (c1 - c0) / 1e9 / (t1 - t0)


def measure(args):
    rows, share = [], None
    for n, g in SIZES:
        procs = Procs(args.bin, n, g)
        try:
            it = sample_cpu(args.bin, args.top_samples)
            proc = sample_cpu(args.bin, args.top_samples, ["--no-bpf-iter"])
            peer = top_refresh_ms(4)
            rows.append({"n": n, "g": g, "iter": it, "proc": proc, "top": peer})
            print(f"bench: ksmtop {n} processes, {g} cgroups: iterator {it[0]:.2f} ms, "
                  f"/proc {proc[0]:.2f} ms, top {peer:.1f} ms per refresh", file=sys.stderr)
            if (n, g) == SIZES[-2]:
                nowalk = ["--sharing-budget", "0"]
                share = {"n": n, "g": g, "walk": core_share(args.bin, args.top_window),
                         "iter": core_share(args.bin, args.top_window, nowalk),
                         "proc": core_share(args.bin, args.top_window,
                                            ["--no-bpf-iter", *nowalk])}
        finally:
            procs.stop()
    return rows, share


def section(args):
    saved = os.path.join(args.tmp, "top.saved")
    ksmctl(args.bin, "save", saved)
    try:
        rows, share = measure(args)
    finally:
        ksmctl(args.bin, "restore", saved)
    table = "\n".join(
        f"| {r['n']:,} | {r['g']:,} | {r['iter'][0]:.2f} [{r['iter'][1]:.2f}..{r['iter'][2]:.2f}] | "
        f"{r['proc'][0]:.2f} [{r['proc'][1]:.2f}..{r['proc'][2]:.2f}] | "
        f"{r['proc'][0] / r['iter'][0]:.1f} | {r['iter'][0] * 1000 / r['n']:.2f} | "
        f"{r['proc'][0] * 1000 / r['n']:.1f} | {r['top']:.1f} | {r['iter'][3]:,} |"
        for r in rows)
    first, big = rows[1], rows[2]
    grow = (big["iter"][0] - first["iter"][0]) / (big["n"] - first["n"]) * 1000
    cg = rows[3]["iter"][0] - rows[2]["iter"][0]
    cg_us = cg * 1000 / (rows[3]["g"] - rows[2]["g"])
    return f"""
## ksmtop at scale: the BPF task iterator against /proc

`ksmload -F N -n 2 -G G`: N KSM processes of two identical pages each in G cgroups under one
parent, merged by ksmd, which is then stopped (run=0) so that every sample reads the same state.
Per size, `ksmtop -j -r 5 0.5 {args.top_samples}` with the BPF task iterator (the default) and with
`--no-bpf-iter` (each KSM user's /proc/PID/ksm_stat, the baseline): the CPU time of one sample
(`sample_cpu_seconds`, the sampling thread's user + system time for reading the kernel, the sums
and the rows; printing not included), median [min..max] over {args.top_samples} samples. The peer
is procps `top -b`, which also reads /proc for every process at each refresh (CPU of 6 refreshes
minus 2, over 4). The last column is how many processes ksmtop listed: the workload's, and any
other KSM user the machine has at the time. Command: `tests/bench/run.sh --only top` (part of
`make bench`).

| KSM processes | cgroups | iterator ms/sample | /proc ms/sample | /proc / iterator | iterator µs/process | /proc µs/process | top ms/refresh | listed |
|---|---|---|---|---|---|---|---|---|
{table}

`ksmtop -b -r 20 1` as a user runs it, with {share['n']:,} KSM processes in {share['g']:,} cgroups,
over {args.top_window:.0f} s after its first sample (every thread's run time from schedstat), in %
of one core:

| ksmtop -b -r 20 1 | iterator | /proc |
|---|---|---|
| `--sharing-budget 0` (samples only) | **{share['iter']:.2f}** | {share['proc']:.2f} |
| default: the sharing walker steps up to 20 ms per sample | {share['walk']:.2f} | - |

The sharing walker (who shares KSM frames with whom, lib/sharing) is not part of a sample: it
takes its own budget each second and is what the default adds on top.

How the cost grows: with the iterator a sample costs about {grow:.2f} µs more per KSM process
(from {first['n']:,} to {big['n']:,}), and a fixed part (sysfs, vmstat, ksmd's stat, the walk
over the machine's other tasks) shows at 100 processes. Most of the per-process part is the
kernel's task walk and the program's loads of each task's mm, which miss the cache; the rest is
the process table and the sort. Going from {rows[2]['g']:,} to {rows[3]['g']:,} cgroups at
{rows[3]['n']:,} processes changed a sample by {cg:+.2f} ms, about {cg_us:.1f} µs per added
cgroup: mostly in the walk (a task's css_set, cgroup and kernfs node stay cached when a few
cgroups hold many processes, and miss when many hold few), then ksmtop's node, sums, row and
tree position per cgroup. Through /proc each KSM user costs an open, a read and a close of
ksm_stat and of cgroup (ksm_stat takes the process's mmap lock), plus a listing of /proc; non-users
are looked at once every 10 s.
"""
