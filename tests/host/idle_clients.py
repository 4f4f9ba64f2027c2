#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Misbehaving HTTP clients for the exporter's load test, on loopback only.

idle_clients.py PORT SECONDS IDLE_PER_ADDR ADDR... [--flood ADDR N] [--bad N]

Keeps IDLE_PER_ADDR connections open from each source ADDR (127.0.0.x) that
connect and send nothing, and reconnects each one the server closes, for
SECONDS seconds (bounded). --flood opens N more from one address, beyond the
per-address limit. --bad N adds N malformed clients: half send a request
line and then one header byte every 2 s (slowloris), half send garbage and a
64 KiB header. Prints one JSON line: the idle connections kept, how many
times the server closed one (idle timeout), how many flood connections it
closed (the per-address limit). The server's own gauge says how many were
open at once.
"""
import json
import selectors
import socket
import sys
import time


def connect(port, src):
    s = socket.socket()
    s.bind((src, 0))
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", port))
    return s


def parse(argv):
    port, secs, per = int(argv[1]), float(argv[2]), int(argv[3])
    addrs, flood, bad, i = [], None, 0, 4
    while i < len(argv):
        if argv[i] == "--flood":
            flood = (argv[i + 1], int(argv[i + 2]))
            i += 3
        elif argv[i] == "--bad":
            bad = int(argv[i + 1])
            i += 2
        else:
            addrs.append(argv[i])
            i += 1
    return port, min(secs, 120), per, addrs, flood, bad


def main(argv):
    port, secs, per, addrs, flood, bad = parse(argv)
    sel = selectors.DefaultSelector()
    idle = {}  # socket -> source address
    for a in addrs:
        for _ in range(per):
            s = connect(port, a)
            idle[s] = a
            sel.register(s, selectors.EVENT_READ, "idle")
    floods = [connect(port, flood[0]) for _ in range(flood[1])] if flood else []
    for s in floods:
        sel.register(s, selectors.EVENT_READ, "flood")
    slow = []
    for k in range(bad):
        s = socket.create_connection(("127.0.0.1", port))
        s.setblocking(False)
        if k % 2:
            s.send(b"\x16\x03\x01garbage\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n")
        else:
            s.send(b"GET /metrics HTTP/1.1\r\nX-Slow: ")
            slow.append(s)
        sel.register(s, selectors.EVENT_READ, "bad")
    closed = refused = 0
    start = last_drip = time.monotonic()
    while time.monotonic() - start < secs:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if data:
                continue
            sel.unregister(s)
            s.close()
            if key.data == "idle":
                closed += 1
                src = idle.pop(s)
                n = connect(port, src)
                idle[n] = src
                sel.register(n, selectors.EVENT_READ, "idle")
            elif key.data == "flood":
                refused += 1
        now = time.monotonic()
        if now - last_drip >= 2:
            for s in slow:
                try:
                    s.send(b"a")
                except OSError:
                    pass
            last_drip = now
    print(json.dumps({"idle": len(idle), "closed_by_server": closed,
                      "flood_refused": refused}))


if __name__ == "__main__":
    main(sys.argv)
