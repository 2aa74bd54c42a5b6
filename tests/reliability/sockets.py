"""The listening sockets of a process and all its descendants, sampled while it runs."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psutil


def listening(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket listening, and every UDP socket bound without a
    peer, in the process tree of pid."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return set()
    found = set()
    for proc in procs:
        try:
            conns = proc.net_connections(kind="inet")
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            continue
        found |= {(c.laddr.ip, c.laddr.port) for c in conns
                  if c.status == psutil.CONN_LISTEN
                  or (c.type == socket.SOCK_DGRAM and not c.raddr)}
    return found


def descendants(pid: int) -> list[int]:
    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)
                if p.status() != psutil.STATUS_ZOMBIE]
    except psutil.NoSuchProcess:
        return []


def is_loopback(address: str) -> bool:
    return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback


@contextmanager
def sampled(pid: int, every: float = 0.2) -> Iterator[set[tuple[str, int]]]:
    """Every listening socket seen in pid's tree while the block runs (sampled in a thread)."""
    seen: set[tuple[str, int]] = set()
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            seen.update(listening(pid))
            stop.wait(every)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join()


def port_free(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True
