"""The listening sockets of a process and all its descendants, sampled while it runs."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TypeVar

import psutil

T = TypeVar("T")


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
def gathered(sample: Callable[[], Iterable[T]], every: float) -> Iterator[set[T]]:
    """Everything sample() returns while the block runs, called every `every` seconds in a
    thread (what lives only for a moment: a socket, a worker process)."""
    seen: set[T] = set()
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            seen.update(sample())
            stop.wait(every)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join()


def sampled(pid: int, every: float = 0.2) -> AbstractContextManager[set[tuple[str, int]]]:
    """Every listening socket seen in pid's tree while the block runs."""
    return gathered(lambda: listening(pid), every)


def port_free(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True
