"""deploy/nginx.conf in front of the bench's webs, as production runs it.

The shipped file as it is, but for its upstream (the bench's webs), its
port and one worker process; its pid, logs and temporary files under a
temporary directory. nginx is Debian's package (scripts/ensure_services.sh
installs it).
"""

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from bench.processes import terminate, wait_listening

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def available() -> bool:
    return Path(NGINX).exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def render(web_ports, port: int) -> str:
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "\n        ".join(f"server 127.0.0.1:{p};" for p in web_ports)
    for shipped, here in (
        ("server 127.0.0.1:8000;", servers),
        ("listen 80;", f"listen 127.0.0.1:{port} backlog=4096;"),
        ("worker_processes auto;", "worker_processes 1;"),
    ):
        if text.count(shipped) != 1:
            raise RuntimeError(f"deploy/nginx.conf changed: {shipped!r} not found once")
        text = text.replace(shipped, here)
    return text


class Nginx:
    def __init__(self, web_ports):
        self.dir = Path(tempfile.mkdtemp(prefix="atende-nginx-"))
        (self.dir / "logs").mkdir()
        self.port = _free_port()
        conf = self.dir / "nginx.conf"
        conf.write_text(render(web_ports, self.port))
        self.process = subprocess.Popen(
            [
                NGINX,
                "-p",
                str(self.dir),
                "-c",
                str(conf),
                "-e",
                str(self.dir / "logs" / "error.log"),
                "-g",
                f"daemon off; pid {self.dir / 'nginx.pid'};",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if not wait_listening(self.port, timeout=15, process=self.process):
            self.stop()
            log = (self.dir / "logs" / "error.log").read_text()
            raise RuntimeError(f"nginx did not start: {log}")

    def stop(self) -> None:
        terminate(self.process)
        shutil.rmtree(self.dir, ignore_errors=True)
