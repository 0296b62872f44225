"""A small fault-injecting proxy between vlanspec and a Docker engine's unix socket.

It forwards each HTTP request to the engine on a fresh connection (asking it to close
afterwards, so every client connection carries exactly one request and one answer) unless a
:class:`Fault` matches the request, in which case it can:

- ``"500"``: answer 500 without forwarding (the engine never saw it);
- ``"500-after"``: forward, let the engine do it, then answer 500 anyway;
- ``"close"``: close the connection without forwarding or answering (a reset mid-run);
- ``"close-after"``: forward, then close without answering (the answer is lost);
- ``"delay"``: wait ``seconds`` before forwarding (past the client's timeout, typically).

Only what the Docker API uses is understood: requests with a ``Content-Length`` body (or none),
answers read to the end of the connection. That is all vlanspec sends.
"""

from __future__ import annotations

import contextlib
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

INJECTED = b'{"message":"injected fault"}'


@dataclass
class Fault:
    """Apply ``action`` to requests whose method and path match, ``times`` times (0: always),
    skipping the first ``skip`` matches."""

    method: str
    path: str  # a regular expression searched in the path (which starts with /v1.xx)
    action: str
    times: int = 1
    skip: int = 0
    seconds: float = 0.0
    matched: int = field(default=0, init=False)
    fired: int = field(default=0, init=False)

    def fires(self, method: str, path: str) -> bool:
        if method != self.method or not re.search(self.path, path):
            return False
        self.matched += 1
        if self.matched <= self.skip or (self.times and self.fired >= self.times):
            return False
        self.fired += 1
        return True


class FaultProxy:
    """Listens on ``path`` and forwards to the engine socket ``upstream``."""

    def __init__(self, upstream: str, path: Path) -> None:
        self.upstream = upstream
        self.path = path
        self.faults: list[Fault] = []
        #: Every request seen, as "METHOD /path" then its body, if any, after a space.
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(path))
        self._server.listen(64)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"unix://{self.path}"

    def close(self) -> None:
        self._server.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _fault_for(self, method: str, path: str, body: bytes) -> Fault | None:
        with self._lock:
            self.requests.append(f"{method} {path} {body.decode(errors='replace')}".rstrip())
            return next((f for f in self.faults if f.fires(method, path)), None)

    def _handle(self, client: socket.socket) -> None:
        with client:
            request = _read_request(client)
            if request is None:
                return
            head, body = request
            method, path = head.split(b" ", 2)[:2]
            fault = self._fault_for(method.decode(), path.decode(), body)
            action = fault.action if fault else ""
            if action == "close":
                return
            if action == "500":
                client.sendall(_answer_500())
                return
            if action == "delay" and fault is not None:
                time.sleep(fault.seconds)
            answer = self._forward(head, body)
            if action == "close-after":
                return
            with contextlib.suppress(OSError):
                client.sendall(_answer_500() if action == "500-after" else answer)

    def _forward(self, head: bytes, body: bytes) -> bytes:
        lines = [
            line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")
        ]
        lines.insert(1, b"Connection: close")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as upstream:
            upstream.connect(self.upstream)
            upstream.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
            chunks = []
            while chunk := upstream.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


def _answer_500() -> bytes:
    return (
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
        b"Content-Length: "
        + str(len(INJECTED)).encode()
        + b"\r\nConnection: close\r\n\r\n"
        + INJECTED
    )


def _read_request(client: socket.socket) -> tuple[bytes, bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            break
        body += chunk
    return head, body


@contextlib.contextmanager
def fault_proxy(docker_host: str) -> Iterator[FaultProxy]:
    """A proxy in front of the engine at ``docker_host`` (a ``unix://`` URL).

    Its socket lives in a short temporary directory: socket paths are limited to 107 bytes.
    """
    assert docker_host.startswith("unix://"), docker_host
    with tempfile.TemporaryDirectory(prefix="vsproxy") as directory:
        proxy = FaultProxy(docker_host.removeprefix("unix://"), Path(directory) / "p.sock")
        try:
            yield proxy
        finally:
            proxy.close()
