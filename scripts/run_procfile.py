"""Run Procfile processes in the foreground, as `make run` does; stop them all on a signal.

    run_procfile.py [-f Procfile] web worker beat

Each line of output is prefixed with the time and the process's name. On
Ctrl-C, SIGTERM or SIGHUP every process gets one SIGTERM (its main process
only: a Celery worker's pool children and gunicorn's workers are stopped by
their parent, not killed under it) and the runner waits for them; a process
still up after STOP_GRACE seconds is killed with its whole group. A stop
asked for by a signal exits 0; a process that ends by itself stops the others
and the runner exits 1.

Why not honcho: honcho puts each process in a session of its own, so a
process outlives a honcho that was killed, and it kills with SIGTERM the
whole group (a worker's pool children die under it and it logs an error),
then with SIGKILL 5 seconds after the first process ended. Here each process
also gets the kernel's parent-death signal: if this runner dies, even by
SIGKILL, every process it started gets SIGTERM. A process that a SIGTERM
catches at a bad moment can hang in its own shutdown (a Celery worker or
beat caught mid-write, seen on a busy machine); with the runner dead nobody
would escalate, so a watchdog forked at start does: once the runner is
gone it kills, STOP_GRACE seconds later, the group of every process still up.

Standard library only: it runs before anything is set up.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time

STOP_GRACE = 8.0
_PR_SET_PDEATHSIG = 1


def read_procfile(path: str) -> dict[str, str]:
    commands = {}
    with open(path, encoding="utf-8") as procfile:
        for line in procfile:
            name, sep, command = line.partition(":")
            if sep and name.strip() and not name.startswith("#"):
                commands[name.strip()] = command.strip()
    return commands


def _die_with_parent(parent: int) -> None:
    """In the child, before exec: SIGTERM when the runner dies; own process group."""
    os.setpgid(0, 0)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the runner died before prctl took effect
        os._exit(1)


def _is_running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _watch(runner: int, pids: list[int]) -> None:
    """In the forked watchdog: wait for the runner to end, then for its
    processes to stop on their parent-death SIGTERM; kill what is left."""
    # The pipes' read ends stay with the runner alone: were the watchdog to
    # hold them, a process writing its log after the runner died would block
    # on a full pipe instead of failing the write.
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    while os.getppid() == runner:
        time.sleep(0.2)
    deadline = time.monotonic() + STOP_GRACE
    while time.monotonic() < deadline and any(_is_running(pid) for pid in pids):
        time.sleep(0.2)
    for pid in pids:
        if _is_running(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)


class Runner:
    def __init__(self, commands: dict[str, str]) -> None:
        self.commands = commands
        self.width = max(len(name) for name in [*commands, "system"])
        self.children: dict[str, subprocess.Popen] = {}
        self.watchdog: int | None = None
        self.signal_received: int | None = None
        self._print_lock = threading.Lock()
        self._out_broken = False

    def say(self, name: str, text: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {name:<{self.width}} | {text}\n"
        with self._print_lock:
            if self._out_broken:
                return
            try:
                sys.stdout.write(line)
                sys.stdout.flush()
            except (BrokenPipeError, OSError, ValueError):
                # Nobody reads us any more: keep draining the children's
                # output (a full pipe would block them) and drop it.
                self._out_broken = True

    def _relay(self, name: str, child: subprocess.Popen) -> None:
        for raw in iter(child.stdout.readline, b""):
            self.say(name, raw.decode("utf-8", "replace").rstrip("\n"))
        child.stdout.close()

    def start(self) -> None:
        parent = os.getpid()
        for name, command in self.commands.items():
            child = subprocess.Popen(
                ["/bin/sh", "-c", f"exec {command}"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                preexec_fn=lambda: _die_with_parent(parent),  # noqa: PLW0108
            )
            self.children[name] = child
            threading.Thread(target=self._relay, args=(name, child), daemon=True).start()
        pids = [child.pid for child in self.children.values()]
        self.watchdog = os.fork()
        if self.watchdog == 0:
            try:
                _watch(parent, pids)
            finally:
                os._exit(0)

    def on_signal(self, signum, frame) -> None:
        # One attribute and nothing else: the handler runs on the main thread
        # wherever it was, possibly holding a lock it would wait on forever
        # (say()'s print lock; an Event's own lock, if set() were called here).
        if self.signal_received is None:
            self.signal_received = signum

    def run(self) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self.on_signal)
        self.start()
        ended = []
        while self.signal_received is None and not ended:
            time.sleep(0.2)
            ended = [name for name, child in self.children.items() if child.poll() is not None]
        if self.signal_received is not None:
            self.say("system", f"{signal.Signals(self.signal_received).name} received, stopping")
        else:
            self.say("system", f"{ended[0]} ended (exit {self.children[ended[0]].returncode})")
        return self.stop()

    def stop(self) -> int:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        while time.monotonic() < deadline and any(c.poll() is None for c in self.children.values()):
            time.sleep(0.1)
        for name, child in self.children.items():
            if child.poll() is None:
                self.say("system", f"{name} did not stop in {STOP_GRACE:g} s: killed")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        # Everything stopped: the watchdog has nothing left to do.
        if self.watchdog:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(self.watchdog, signal.SIGKILL)
                os.waitpid(self.watchdog, 0)
        self.say("system", "stopped")
        return 0 if self.signal_received is not None else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--procfile", default="Procfile")
    parser.add_argument("names", nargs="+")
    args = parser.parse_args(argv)
    commands = read_procfile(args.procfile)
    unknown = [name for name in args.names if name not in commands]
    if unknown:
        parser.error(f"not in {args.procfile}: {', '.join(unknown)}")
    return Runner({name: commands[name] for name in args.names}).run()


if __name__ == "__main__":
    sys.exit(main())
