"""Installed as ``sitecustomize`` (a copy in a folder on PYTHONPATH) in the processes of a run
under test: every ``socket.connect`` and name lookup is written to $NEWSFLOW_NET_AUDIT, and one
that would leave the machine is refused. Child processes (the temporary Prefect server, process
pool workers) inherit PYTHONPATH, so they are audited too."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from typing import Any

_LOG = os.environ.get("NEWSFLOW_NET_AUDIT")
_LOCAL_NAMES = {"localhost", "ip6-localhost", "ip6-loopback"}


def _is_local(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).split("%", 1)[0].strip("[]")
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect":
        sock, address = args
        family = getattr(sock, "family", None)
        if family == socket.AF_UNIX or not isinstance(address, tuple):
            verdict, where = "local", repr(address)
        else:
            verdict, where = ("loopback" if _is_local(address[0]) else "REMOTE"), repr(address)
    elif event == "socket.getaddrinfo":
        host = args[0]
        if host is None:
            return
        verdict, where = ("loopback" if _is_local(host) else "REMOTE"), repr(host)
    else:
        return
    assert _LOG is not None
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(f"{verdict} {event} {where} pid={os.getpid()} argv0={sys.argv[:1]}\n")
    if verdict == "REMOTE":
        raise ConnectionRefusedError(f"newsflow network audit: {event} to {where} refused")


if _LOG:
    sys.addaudithook(_hook)
