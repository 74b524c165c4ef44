"""Real servers on loopback for tests: a private Redis, SMTP, an SMS gateway, a silent peer.

Each one is started and stopped by the test that uses it, so a test can take a
service away and bring it back.
"""

import contextlib
import email
import email.policy
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from redis import Redis


def free_port() -> int:
    """Return a loopback TCP port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


class PrivateRedis:
    """A redis-server of our own on a free port, without persistence: a restart loses all."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> None:
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        if not wait_until(self.answers, timeout=10):
            raise RuntimeError(f"redis-server did not start on port {self.port}")

    def answers(self) -> bool:
        try:
            with Redis.from_url(self.url, socket_connect_timeout=0.5) as conn:
                return bool(conn.ping())
        except Exception:
            return False

    def stop(self) -> None:
        """SHUTDOWN NOSAVE, then wait for the process to be gone."""
        if self.process is None:
            return
        try:
            with Redis.from_url(self.url, socket_connect_timeout=0.5) as conn:
                conn.shutdown(nosave=True)
        except Exception:
            self.process.kill()
        self.process.wait(timeout=10)
        self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


def running_private_redis(directory: Path):
    """Fixture body: a started PrivateRedis, counted as a real-Redis test; killed afterwards."""
    import pytest

    from tests.conftest import REQUIRE_SERVICES, usage

    if not PrivateRedis.available():
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but redis-server is not installed")
        pytest.skip("redis-server is not installed")
    usage["redis_tests"] += 1  # a real Redis, counted like the shared one
    server = PrivateRedis(directory)
    server.start()
    try:
        yield server
    finally:
        server.kill()


class SmtpSink:
    """An SMTP server on loopback that keeps every message it accepts."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def start(self) -> "SmtpSink":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def received(self) -> Counter:
        """How many messages arrived per (recipient, subject)."""
        return Counter(
            (rcpt, str(message["Subject"])) for rcpts, message in self.messages for rcpt in rcpts
        )


class SilentPeer:
    """Accepts TCP connections and never says a word: a stalled SMTP server."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.accepted = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # closed
            self.connections.append(conn)
            self.accepted.set()

    def received_until_closed(self, conn: socket.socket, timeout: float = 10.0) -> bytes:
        """Read what the peer sends until it hangs up (raises if it stays connected)."""
        conn.settimeout(timeout)
        data = b""
        while chunk := conn.recv(4096):
            data += chunk
        return data

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self._listener.close()
        for conn in self.connections:
            conn.close()
        self._thread.join(timeout=5)


class SmsGateway:
    """A JSON SMS gateway on loopback that records each request and answers ``status``."""

    def __init__(self, path: str = "/sms/send"):
        self.path = path
        self.status = 200
        self.location = "/moved"  # where a 3xx answer points
        self.requests: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self, body: bytes) -> None:
                gateway.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                        "answered": gateway.status if self.command == "POST" else 200,
                    }
                )

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self._record(body)
                payload = json.dumps({"ok": gateway.status < 300}).encode()
                self.send_response(gateway.status)
                if 300 <= gateway.status < 400:
                    self.send_header("Location", gateway.location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):  # only a client that follows a redirect comes here
                self._record(b"")
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{path}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def posts(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST"]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (Linux /proc), children before grandchildren."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(0), [])
        found += kids
        todo += kids
    return found


class WorkerProcess:
    """``python -m workers.worker`` (the production RQ worker) as a child process."""

    def __init__(self, env: dict, log_path: Path):
        self.log_path = log_path
        root = Path(__file__).resolve().parent.parent
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "workers.worker"],
                cwd=root,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> list[int]:
        """SIGKILL the worker and every process it forked (its work horse), all at once,
        as when the machine or container dies. Returns the pids killed."""
        pids = [self.process.pid, *descendants(self.process.pid)]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        return pids
