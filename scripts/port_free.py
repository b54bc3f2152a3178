"""Exit 0 when HOST:PORT can be listened on; else say which process holds it, exit 1.

    port_free.py 127.0.0.1 8000

`make run` asks before it prints "ready": a second `make run` on a busy port
would otherwise print its addresses and then fail to serve them.
Standard library only (Linux's /proc names the holder when we may read it).
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from pathlib import Path

_LISTEN = "0A"


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == _LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def holders(port: int) -> list[str]:
    """'pid 123: command line' of each process we can see listening on the port."""
    wanted = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            if not any(os.readlink(f"/proc/{pid}/fd/{fd}") in wanted for fd in fds):
                continue
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        found.append(f"pid {pid}: {cmdline.decode(errors='replace').strip()}")
    return found


def busy(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As gunicorn binds: a port in TIME_WAIT after a stop is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def main(argv: list[str]) -> int:
    host, port = argv[0], int(argv[1])
    if not busy(host, port):
        return 0
    print(f"Port {port} on {host} is in use; nothing was started.", file=sys.stderr)
    for holder in holders(port) or ["a process this user cannot see"]:
        print(f"  held by {holder}", file=sys.stderr)
    print("Stop it, or pick another port: PORT=8001 make run", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
