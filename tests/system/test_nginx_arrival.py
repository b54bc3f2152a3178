"""deploy/nginx.conf in front of a busy web: a burst stays one turn.

nginx runs the shipped configuration (its upstream and port aside) in front
of one web process that is busy: each webhook waits 1.5 s in front of it,
as in a reply wave. A customer's five messages leave 0.3 s apart, are
handled 1.5 s apart, and still arrive as one turn, through a gateway that
stamps nothing itself: the arrival is nginx's ``X-Request-Start``.
"""

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import requests
from django.core.wsgi import get_wsgi_application
from django.db import connection

from messaging.models import Message, Turn
from providers.models import Provider
from tests.support import factories
from tests.support.pipeline import wait_for
from tests.support.replay import load_fixture
from tests.support.servers import free_port
from tests.support.webhooks import QUEUED, webhook_path

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# Each webhook waits this long in front of the web: handled this far apart.
BUSY_SECONDS = 1.5
SENT_APART_SECONDS = 0.3


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class BusyWeb:
    """One web process, one request at a time (the others wait in its
    listen queue, as in front of a sync gunicorn worker), each webhook
    taking ``BUSY_SECONDS`` before the application sees it."""

    def __init__(self):
        self.handled: list[float] = []
        application = get_wsgi_application()

        def busy(environ, start_response):
            if environ["PATH_INFO"].startswith("/api/v1/webhooks/"):
                time.sleep(BUSY_SECONDS)
                self.handled.append(time.monotonic())
            try:
                return application(environ, start_response)
            finally:
                connection.close()

        self.server = make_server("127.0.0.1", 0, busy, handler_class=_Quiet)
        self.server.request_queue_size = 16
        self.port = self.server.server_port
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _nginx_conf(tmp_path: Path, web_port: int) -> tuple[Path, int]:
    """deploy/nginx.conf as shipped, pointed at the test's web and port."""
    port = free_port()
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    for shipped, here in (
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{web_port};"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("worker_processes auto;", "worker_processes 1;"),
    ):
        assert text.count(shipped) == 1, shipped
        text = text.replace(shipped, here)
    assert 'proxy_set_header X-Request-Start "t=${msec}";' in text
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    return conf, port


@pytest.fixture
def nginx_in_front(tmp_path, settings):
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (scripts/ensure_services.sh installs it)")
    settings.ARRIVAL_HEADER = "X-Request-Start"
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SECURE_SSL_REDIRECT = False
    with BusyWeb() as web:
        conf, port = _nginx_conf(tmp_path, web.port)
        (tmp_path / "logs").mkdir()
        process = subprocess.Popen(
            [
                NGINX,
                "-p",
                str(tmp_path),
                "-c",
                str(conf),
                "-e",
                str(tmp_path / "logs" / "error.log"),
                "-g",
                f"daemon off; pid {tmp_path / 'nginx.pid'};",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            assert wait_for(lambda: _answers(port), timeout=20), process.stderr
            yield f"http://127.0.0.1:{port}", web
        finally:
            process.terminate()
            process.wait(10)


def _answers(port: int) -> bool:
    try:
        requests.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
    except requests.ConnectionError:
        return False
    return True


def _text(n: int, text: str) -> bytes:
    body = load_fixture("evolution", "text")
    body["data"]["key"]["id"] = f"NGINX{n}"
    body["data"]["message"]["conversation"] = text
    body.pop("date_time", None)  # no gateway stamp: nginx's is the arrival
    return json.dumps(body).encode()


@pytest.mark.worker
def test_five_messages_sent_apart_handled_late_behind_nginx_are_one_turn(
    celery_worker, organization, integration, receiver, nginx_in_front
):
    base, web = nginx_in_front
    instance = factories.make_instance(
        organization,
        provider=Provider.EVOLUTION,
        name="Evolution",
        base_url="http://127.0.0.1:9",
        external_id="atende-main",
        credentials={"apiKey": "evo-instance-token"},
        concat_timeout=1,
    )
    texts = ["Oi", "meu pedido 4521", "não chegou", "já faz uma semana", "podem ver?"]
    answers: dict[int, dict] = {}

    def send(n: int, text: str) -> None:
        response = requests.post(
            base + webhook_path(instance),
            data=_text(n, text),
            # A client's own stamp is overwritten by nginx.
            headers={"Content-Type": "application/json", "X-Request-Start": "t=1000000000.000"},
            timeout=60,
        )
        answers[n] = response.json()

    senders = []
    for n, text in enumerate(texts):
        if n:
            time.sleep(SENT_APART_SECONDS)
        sender = threading.Thread(target=send, args=(n, text))
        sender.start()
        senders.append(sender)
    for sender in senders:
        sender.join(timeout=60)

    assert answers == dict.fromkeys(range(5), QUEUED)
    # The web handled them a window (1 s) and more apart ...
    gaps = [b - a for a, b in zip(web.handled, web.handled[1:], strict=False)]
    assert min(gaps) >= BUSY_SECONDS - 0.05, gaps
    # ... and they still arrived within one window of each other, as one turn.
    turns = wait_for(receiver.turns, timeout=60)
    time.sleep(3)  # a second turn, if any, would come within this
    assert len(receiver.turns()) == 1
    assert [m["text"] for m in turns[0]["turn"]["messages"]] == texts
    turn = Turn.objects.get()
    assert (turn.status, turn.messages_count) == ("CLOSED", 5)
    arrivals = list(Message.objects.order_by("concat_seq").values_list("received_at", flat=True))
    assert all((b - a).total_seconds() < 1 for a, b in zip(arrivals, arrivals[1:], strict=False))
