#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: what tracing KSM costs, measured against no tracer and a peer.

ksmd cost: pages scanned per second of ksmd CPU time (schedstat runtime of the
ksmd kthread) over a fixed number of full scans with sleep_millisecs=0, on a
workload that keeps events flowing (COW breaks and re-merges, unique pages in
the unstable tree). Modes alternate within each round (the order rotates) and
each traced round is divided by the same round's baseline; the median of
those ratios and their spread are reported.

Start-up: exec to the tool's ready line (ksmsnoop: "tracing" on stderr, after
every probe is attached; bpftrace: its BEGIN probe). RSS: VmRSS once running
and VmHWM (peak), from /proc/PID/status.
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

KSM = "/sys/kernel/mm/ksm"
HERE = os.path.dirname(os.path.abspath(__file__))


def sysfs(name):
    with open(f"{KSM}/{name}") as f:
        return int(f.read().split()[0])


def ksmd_pid():
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/comm") as f:
                    if f.read().strip() == "ksmd":
                        return int(p)
            except OSError:
                pass
    sys.exit("bench: no ksmd thread (is KSM built in?)")


def cpu_ns(pid):
    """CPU time of a thread in ns from schedstat: finer than 10 ms ticks."""
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


def bpf_progs():
    """{id: (name, run_time_ns, run_cnt)} of every loaded BPF program."""
    out = subprocess.run(["bpftool", "prog", "show", "-j"], capture_output=True, text=True,
                         check=True).stdout
    return {p["id"]: (p.get("name", ""), p.get("run_time_ns", 0), p.get("run_cnt", 0))
            for p in json.loads(out or "[]")}


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def wait_scans(n, timeout=120):
    start = sysfs("full_scans")
    deadline = time.monotonic() + timeout
    while sysfs("full_scans") < start + n:
        if time.monotonic() > deadline:
            sys.exit(f"bench: ksmd did not finish {n} scans in {timeout}s")
        time.sleep(0.005)


class Tracer:
    """A tracer process writing to a file, started and stopped per window."""

    def __init__(self, mode, args, tmp):
        self.mode = mode
        self.out = os.path.join(tmp, f"{mode}.out")
        self.err = os.path.join(tmp, f"{mode}.err")
        if mode == "ksmsnoop":
            cmd = [f"{args.bin}/ksmsnoop", "-j"]
        elif mode == "bpftrace":
            cmd = ["bpftrace", "-o", self.out, os.path.join(HERE, "ksm_events.bt")]
        elif mode == "ksmtop":
            cmd = [f"{args.bin}/ksmtop", "-b", "1"]
        else:
            raise ValueError(mode)
        self.t0 = time.monotonic()
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        self.ready_s = self._wait_ready()

    def _ready(self):
        if self.mode == "ksmsnoop":
            with open(self.err) as f:
                return "tracing" in f.read()
        if self.mode == "bpftrace":
            with open(self.out) as f:
                return "ready" in f.read(4096)
        return os.path.getsize(self.out) > 0

    def _wait_ready(self, timeout=30):
        while time.monotonic() - self.t0 < timeout:
            if self.proc.poll() is not None:
                with open(self.err) as f:
                    sys.exit(f"bench: {self.mode} exited early: {f.read()[-500:]}")
            if self._ready():
                return time.monotonic() - self.t0
            time.sleep(0.001)
        sys.exit(f"bench: {self.mode} not ready in {timeout}s")

    def cpu(self):
        """CPU ns of every thread of the tracer."""
        total = 0
        for t in os.listdir(f"/proc/{self.proc.pid}/task"):
            try:
                total += cpu_ns(f"{self.proc.pid}/task/{t}")
            except OSError:
                pass
        return total

    def stop(self):
        self.rss_kb = status_kb(self.proc.pid, "VmRSS")
        self.hwm_kb = status_kb(self.proc.pid, "VmHWM")
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with open(self.out, "rb") as f:
            self.lines = sum(1 for _ in f)
        with open(self.err) as f:
            err = f.read()
        self.lost = 0
        for line in err.splitlines() + open(self.out, errors="replace").read().splitlines()[-5:]:
            if line.startswith("ksmsnoop:") and line.endswith(" lost"):
                self.lost = int(line.split()[-2])
            elif line.startswith("Lost ") and "events" in line:
                self.lost += int(line.split()[1])


def window(scans, ksmd, tracer=None):
    c0, p0, t0 = cpu_ns(ksmd), sysfs("pages_scanned"), time.monotonic()
    tc0 = tracer.cpu() if tracer else 0
    wait_scans(scans)
    c1, p1, t1 = cpu_ns(ksmd), sysfs("pages_scanned"), time.monotonic()
    tc1 = tracer.cpu() if tracer else 0
    cpu_s = (c1 - c0) / 1e9
    return {
        "pages_per_cpu_s": (p1 - p0) / cpu_s if cpu_s else 0.0,
        "wall_s": t1 - t0,
        "tracer_cpu_pct": 100.0 * (tc1 - tc0) / 1e9 / (t1 - t0),
        "ksmd_cpu_ns": c1 - c0,
    }


def bpf_cost(mode, args, tmp, scans, ksmd):
    """One window with kernel.bpf_stats_enabled=1: the tracer's programs'
    run time per call and as a share of ksmd's CPU time. Run apart from the
    throughput rounds because the stats themselves cost two clock reads."""
    before = set(bpf_progs())
    with open("/proc/sys/kernel/bpf_stats_enabled") as f:
        old = f.read().strip()
    with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
        f.write("1")
    try:
        tr = Tracer(mode, args, tmp)
        mine = set(bpf_progs()) - before
        p0 = bpf_progs()
        w = window(scans, ksmd, tr)
        p1 = bpf_progs()
        tr.stop()
    finally:
        with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
            f.write(old)
    ns = sum(p1[i][1] - p0[i][1] for i in mine if i in p0 and i in p1)
    cnt = sum(p1[i][2] - p0[i][2] for i in mine if i in p0 and i in p1)
    return {"progs": len(mine), "ns_per_call": ns / cnt if cnt else 0.0, "calls": cnt,
            "pct_of_ksmd": 100.0 * ns / w["ksmd_cpu_ns"] if w["ksmd_cpu_ns"] else 0.0}


def spread(xs):
    return f"{statistics.median(xs):.3f} [{min(xs):.3f}..{max(xs):.3f}]"


def policy_vm_section(args):
    """The KSM policy hook on the patched kernel: `make vm-bench` boots it in
    QEMU and runs tests/vm/guest/policy.sh's bench (ABAB pairs without and with
    the built-in policy, bpf_stats on). Only when the VM kernel is built
    (make vm-kernel), or with --policy-vm=always."""
    top = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    # the link tests/vm/vm.mk makes to the cached kernel (make vm-kernel)
    image = os.path.join(os.path.abspath(os.path.join(args.bin, "..")), "vm", "kernel-patched",
                         "bzImage")
    head = """
KSM policy hook (kernel-patch/ 0008-0009, built-in ksm_bpf_ops policy with rules on both
workload cgroups), measured in the patched guest under QEMU TCG by `make vm-bench`: two
ksmwork processes (2048 pages in 64 contents, 2048 unique pages), pages_to_scan=4000,
sleep_millisecs=0; ABAB pairs of 20 full scans without and with the policy, each after 2
warm-up scans. The hook's ns per call is bpf_stats run_time_ns / run_cnt of its two programs
(guest TSC calibrated from the host's); its share is that time over ksmd's CPU time in the
policy runs. TCG runs the guest 10-50x slower than the host: the ns are TCG ns.
"""
    if args.policy_vm == "never" or (args.policy_vm == "auto" and not os.path.exists(image)):
        return head + "\nNot run: no VM kernel (`make vm-kernel`, or --policy-vm=always).\n"
    out = subprocess.run(["make", "-s", "-C", top, "vm-bench", "VM_ARGS=BENCH_PAIRS=10"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    b = {}
    for line in out.splitlines():
        m = re.search(r"BENCH policy hook \(.*\): (\S+) ns per call over (\d+) calls", line)
        if m:
            b["ns"], b["calls"] = m.group(1), m.group(2)
        m = re.search(r"median (\S+) \(min (\S+), max (\S+), (\d+) ABAB", line)
        if m:
            b["ratio"] = f"{float(m.group(1)):.3f} [{float(m.group(2)):.3f}..{float(m.group(3)):.3f}]"
            b["pairs"] = m.group(4)
        m = re.search(r"share of ksmd CPU time: (\S+)%", line)
        if m:
            b["share"] = m.group(1)
    if len(b) < 5:
        return head + "\nvm-bench failed:\n\n```\n" + "\n".join(out.splitlines()[-20:]) + "\n```\n"
    return head + f"""
| mode | ksmd throughput ratio, policy / none | ABAB pairs | hook calls | ns per call | % of ksmd CPU |
|---|---|---|---|---|---|
| built-in policy | {b['ratio']} | {b['pairs']} | {int(b['calls']):,} | {b['ns']} | {b['share']} |
"""


def replace_section(path, text):
    """Put a section ("## title" to the next "## ") in place in path, or at its end."""
    with open(path) as f:
        doc = f.read()
    title = text.lstrip("\n").split("\n", 1)[0]
    start = doc.find("\n" + title + "\n")
    if start < 0:
        doc = doc.rstrip("\n") + "\n" + text
    else:
        end = doc.find("\n## ", start + 1)
        doc = doc[:start] + "\n" + text.strip("\n") + "\n" + (doc[end:] if end >= 0 else "")
    with open(path, "w") as f:
        f.write(doc)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--window-s", type=float, default=6.0, help="target length of a window")
    ap.add_argument("--startups", type=int, default=10)
    ap.add_argument("--policy-vm", choices=["auto", "always", "never"], default="auto",
                    help="the KSM policy row from `make vm-bench` (auto: if the VM kernel is built)")
    ap.add_argument("--advise-runs", type=int, default=3, help="ksmadvise runs per size")
    ap.add_argument("--top-samples", type=int, default=8, help="ksmtop samples per size")
    ap.add_argument("--top-window", type=float, default=20.0,
                    help="seconds of ksmtop -b 1 for its share of a core")
    ap.add_argument("--only", choices=["all", "advise", "top"], default="all",
                    help="advise: only the ksmadvise section, printed, docs left alone; "
                    "top: only the ksmtop-at-scale section, printed and put in place in --out")
    args = ap.parse_args()
    args.tmp = tempfile.mkdtemp(prefix="ksmbench.")
    import advise_bench  # here: they import this module's helpers
    import top_bench
    if args.only == "advise":
        print(advise_bench.section(args))
        return
    if args.only == "top":
        text = top_bench.section(args)
        print(text)
        replace_section(args.out, text)
        return

    modes = ["baseline", "ksmsnoop", "bpftrace"]
    if os.access(f"{args.bin}/ksmtop", os.X_OK):
        modes.append("ksmtop")
    tmp = tempfile.mkdtemp(prefix="ksmbench.")
    saved = os.path.join(tmp, "saved")
    subprocess.run([f"{args.bin}/ksmctl", "save", saved], check=True)
    loads = []
    try:
        subprocess.run([f"{args.bin}/ksmctl", "set", "run=2"], check=True)
        subprocess.run([f"{args.bin}/ksmctl", "set", "run=0", "pages_to_scan=4000",
                        "sleep_millisecs=0", "use_zero_pages=0"], check=True)
        # Merged pages that keep being broken and re-merged, a second sharer,
        # and unique pages that stay in the unstable tree.
        for extra in (["-n", "4000", "-k", "64", "-w", "4000"],
                      ["-n", "4000", "-k", "64"],
                      ["-n", "0", "-u", "4000"]):
            loads.append(subprocess.Popen([f"{args.bin}/ksmload", *extra],
                                          stdout=subprocess.DEVNULL))
        time.sleep(0.5)
        subprocess.run([f"{args.bin}/ksmctl", "set", "run=1"], check=True)
        ksmd = ksmd_pid()
        wait_scans(5)
        # Calibrate: how many full scans make a window of about --window-s.
        t0 = time.monotonic()
        wait_scans(5)
        per_scan = (time.monotonic() - t0) / 5
        scans = max(3, int(args.window_s / per_scan))
        print(f"bench: {per_scan * 1000:.1f} ms per full scan, {scans} scans per window",
              file=sys.stderr)

        res = {m: [] for m in modes}
        startup = {m: [] for m in modes if m != "baseline"}
        info = {m: [] for m in modes if m != "baseline"}
        for r in range(args.rounds):
            order = modes[r % len(modes):] + modes[:r % len(modes)]
            for m in order:
                tr = None if m == "baseline" else Tracer(m, args, tmp)
                w = window(scans, ksmd, tr)
                if tr:
                    tr.stop()
                    startup[m].append(tr.ready_s)
                    w.update(rss_kb=tr.rss_kb, hwm_kb=tr.hwm_kb, events=tr.lines,
                             lost=tr.lost)
                    info[m].append(w)
                res[m].append(w)
                print(f"bench: round {r + 1} {m:9s} {w['pages_per_cpu_s']:12.0f} pages/cpu-s"
                      f" tracer {w['tracer_cpu_pct']:5.2f}%", file=sys.stderr)
        cost = {m: bpf_cost(m, args, tmp, scans, ksmd) for m in modes
                if m != "baseline"}
        # Extra start-ups without load on the tracer, for a fuller sample.
        for m in startup:
            while len(startup[m]) < args.startups:
                tr = Tracer(m, args, tmp)
                time.sleep(0.3)
                tr.stop()
                startup[m].append(tr.ready_s)
    finally:
        for p in loads:
            p.terminate()
        for p in loads:
            p.wait()
        subprocess.run([f"{args.bin}/ksmctl", "restore", saved])

    base = [w["pages_per_cpu_s"] for w in res["baseline"]]
    rows = []
    for m in modes:
        ratios = [w["pages_per_cpu_s"] / b for w, b in zip(res[m], base)]
        tput = statistics.median(w["pages_per_cpu_s"] for w in res[m])
        if m == "baseline":
            rows.append(f"| {m} | {tput:,.0f} | 1.000 | - | - | - | - | - | - |")
            continue
        ws = info[m]
        ev_s = statistics.median(w["events"] / w["wall_s"] for w in ws)
        rows.append(
            f"| {m} | {tput:,.0f} | {spread(ratios)} | "
            f"{statistics.median(w['tracer_cpu_pct'] for w in ws):.2f} | "
            f"{statistics.median(startup[m]) * 1000:.0f} [{min(startup[m]) * 1000:.0f}.."
            f"{max(startup[m]) * 1000:.0f}] | "
            f"{statistics.median(w['rss_kb'] for w in ws) / 1024:.1f} | "
            f"{max(w['hwm_kb'] for w in ws) / 1024:.1f} | {ev_s:,.0f} | "
            f"{sum(w['lost'] for w in ws)} |")

    cost_rows = [f"| {m} | {c['progs']} | {c['calls']:,} | {c['ns_per_call']:.0f} | "
                 f"{c['pct_of_ksmd']:.2f} |" for m, c in cost.items()]
    uname = os.uname()
    text = f"""# Benchmarks

Produced by `make bench` (tests/bench/bench.py) as root on {uname.nodename}, Linux
{uname.release}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.

Workload: three ksmload processes (4000 pages in 64 contents with 4000 COW breaks/s, a second
sharer of the same 4000 pages, 4000 unique pages), pages_to_scan=4000, sleep_millisecs=0.
{args.rounds} rounds; in each round every mode runs one window of {scans} full scans
(about {per_scan * 1000:.0f} ms each), in rotating order. ksmd throughput is pages_scanned per
second of ksmd CPU (the ksmd thread's sum_exec_runtime from schedstat); the ratio is each traced window over the
same round's baseline window: median [min..max]. Tracer CPU is % of one core while tracing.
Start-up is exec to ready (ksmsnoop: all probes attached; bpftrace: BEGIN fired;
ksmtop: first sample printed), median [min..max] over {args.startups} starts. RSS is VmRSS while
running (median) and VmHWM, the peak (max). Events/s is what each tracer wrote to its output file.

| mode | ksmd pages/cpu-s | ratio to baseline | tracer CPU % | start-up ms | RSS MB | peak RSS MB | events/s | lost |
|---|---|---|---|---|---|---|---|---|
""" + "\n".join(rows) + f"""

BPF cost inside ksmd, from one extra window per tracer with kernel.bpf_stats_enabled=1 (the
programs' run_time_ns and run_cnt from bpftool): the direct share of ksmd's CPU time spent in
the tracer's programs, which the throughput ratios above cannot resolve below their noise.

| tracer | programs | calls | ns per call | % of ksmd CPU |
|---|---|---|---|---|
""" + "\n".join(cost_rows) + """

## Reading these numbers

- The throughput ratios are noisy on a 2-CPU virtual machine (single windows differ by several
  percent in both directions), so they bound the overhead only loosely. The BPF-stats table
  measures it directly: ksmd's time inside the tracer's programs as a share of its CPU time.
- ksmsnoop's start-up is exec to "all probes attached"; most of it is the kernel verifying the
  light skeleton. Its RSS stays near 5 MB because user space never parses the kernel BTF
  (light skeletons do CO-RE and attach lookups in the kernel) and the 2 MiB ring buffer is
  mapped but only touched as it fills.
- ksmtop's start-up is its first printed sample, one interval (1 s) after start by design.
- bpftrace compiles its script with LLVM at start, hence its start-up time and RSS. Its printf
  goes through a perf buffer that wakes the reader for each event, a likely share of its
  per-event cost; ksmsnoop wakes its reader only when the ring is half full.
- BCC (bpfcc-tools) is not run: it compiles at run time against kernel headers, which this
  kernel does not ship.
""" + policy_vm_section(args) + advise_bench.section(args) + top_bench.section(args)
    text += kept_sections(args.out, text)
    with open(args.out, "w") as f:
        f.write(text)
    print(text)


def kept_sections(path, text):
    """The sections of path that this run does not write (measured by other
    commands, each naming its own), to keep after the new text."""
    try:
        with open(path) as f:
            doc = f.read()
    except FileNotFoundError:
        return ""
    made = set(re.findall(r"^## .*$", text, re.M))
    kept = [s for s in re.split(r"\n(?=## )", doc)[1:] if s.split("\n", 1)[0] not in made]
    return "".join("\n" + s.rstrip("\n") + "\n" for s in kept)


if __name__ == "__main__":
    main()
