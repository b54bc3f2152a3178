"""What every bench does with the servers it starts: wait until one listens,
and stop it (politely first)."""

import socket
import subprocess
import time


def wait_listening(port: int, *, timeout: float, process: subprocess.Popen | None = None) -> bool:
    """True once 127.0.0.1:``port`` accepts a connection; False after
    ``timeout``, or as soon as ``process`` has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            if process is not None and process.poll() is not None:
                return False
            time.sleep(0.2)
    return False


def terminate(process: subprocess.Popen, *, grace: float = 15) -> None:
    """SIGTERM, and SIGKILL if it is still up after ``grace`` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
