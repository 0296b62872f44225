"""A private Docker daemon for a test run, and the test image.

The tests never use a user's own daemon: they start one that belongs to the run, with its own
socket, data root, exec root and pidfile in one directory, no default bridge and no iptables
rules. ``.ci/run`` starts the same daemon with the same flags in bash; keep the two in step.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import struct
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors

TEST_IMAGE = "vlanspec-test/busybox:latest"
BUSYBOX = Path("/bin/busybox")
IMAGE_APPLETS = ("sh", "ip", "ping", "sleep", "cat")

# A unix socket path must fit in sockaddr_un (108 bytes with the NUL).
_MAX_SOCKET_PATH = 100


class DaemonError(RuntimeError):
    """The private daemon could not be started, or the test image could not be built."""


def dockerd_command(dockerd: str, directory: Path) -> list[str]:
    """The command line of a private dockerd that keeps all its state under ``directory``."""
    return [
        dockerd,
        "--config-file",
        str(directory / "daemon.json"),
        "-H",
        f"unix://{directory / 'docker.sock'}",
        "--data-root",
        str(directory / "data"),
        "--exec-root",
        str(directory / "exec"),
        "--pidfile",
        str(directory / "dockerd.pid"),
        "--bridge=none",
        "--iptables=false",
        "--ip6tables=false",
        # Used only when a system containerd is running: keep out of its "moby" namespace.
        "--containerd-namespace",
        "vlanspec-test",
        "--containerd-plugins-namespace",
        "vlanspec-test-plugins",
    ]


# Our own (empty) daemon.json keeps /etc/docker/daemon.json out of the way, and the key path
# keeps 20.10 from writing /etc/docker/key.json.
def _daemon_config(directory: Path) -> str:
    return json.dumps({"deprecated-key-path": str(directory / "key.json")})


@dataclass
class PrivateDaemon:
    """A dockerd started by :func:`start_private_daemon`; :meth:`stop` removes all it made."""

    directory: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"unix://{self.directory / 'docker.sock'}"

    @property
    def log_path(self) -> Path:
        return self.directory / "dockerd.log"

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 60.0) -> None:
        """Stop the daemon (and its containerd), unmount what it left, delete its directory."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # A dockerd that was killed leaves its managed containerd running.
        _terminate_pidfile(self.directory / "exec" / "containerd" / "containerd.pid")
        _unmount_under(self.directory)
        shutil.rmtree(self.directory, ignore_errors=True)


def _terminate_pidfile(pidfile: Path) -> None:
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


def _unmount_under(directory: Path) -> None:
    """Lazily unmount anything still mounted below ``directory``, deepest first."""
    prefix = f"{directory}/"
    mounts: list[str] = []
    with open("/proc/self/mountinfo") as mountinfo:
        for line in mountinfo:
            mount_point = line.split()[4]
            if mount_point == str(directory) or mount_point.startswith(prefix):
                mounts.append(mount_point)
    for mount_point in sorted(mounts, reverse=True):
        subprocess.run(["umount", "-l", mount_point], capture_output=True, check=False)


def _new_directory() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="vlanspec-dockerd-"))
    if len(str(directory / "exec" / "containerd" / "containerd.sock.ttrpc")) > _MAX_SOCKET_PATH:
        directory.rmdir()
        directory = Path(tempfile.mkdtemp(prefix="vlanspec-dockerd-", dir="/tmp"))
    return directory


def start_private_daemon(dockerd: str = "dockerd", timeout: float = 60.0) -> PrivateDaemon:
    """Start a private dockerd in a new temporary directory and wait until it answers."""
    executable = shutil.which(dockerd)
    if executable is None:
        raise DaemonError(f"{dockerd} is not installed")
    directory = _new_directory()
    (directory / "daemon.json").write_text(_daemon_config(directory))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    with open(directory / "dockerd.log", "wb") as log:
        process = subprocess.Popen(
            dockerd_command(executable, directory),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    daemon = PrivateDaemon(directory, process)
    try:
        wait_until_answers(daemon.url, timeout, process)
    except DaemonError as error:
        tail = daemon.log_tail()
        daemon.stop()
        raise DaemonError(f"{error}\n--- dockerd log (last lines) ---\n{tail}") from None
    return daemon


def wait_until_answers(
    url: str, timeout: float, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll the daemon at ``url`` until it answers a ping, or raise :class:`DaemonError`."""
    deadline = time.monotonic() + timeout
    last_error = "no answer"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise DaemonError(f"dockerd exited with status {process.returncode}")
        try:
            client = docker.DockerClient(base_url=url, timeout=5)
        except docker.errors.DockerException as error:
            last_error = str(error)
        else:
            try:
                if client.ping():
                    return
            except (docker.errors.DockerException, OSError) as error:
                last_error = str(error)
            finally:
                client.close()
        time.sleep(0.2)
    raise DaemonError(f"the daemon at {url} did not answer within {timeout:.0f} s: {last_error}")


def is_static_elf(path: Path) -> bool:
    """True if ``path`` is a 64-bit ELF executable without a program interpreter (static)."""
    data = path.read_bytes()
    if data[:5] != b"\x7fELF\x02":
        return False
    phoff = struct.unpack_from("<Q", data, 0x20)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    pt_interp = 3
    return all(
        struct.unpack_from("<I", data, phoff + i * phentsize)[0] != pt_interp for i in range(phnum)
    )


def image_tarball(busybox: Path = BUSYBOX) -> bytes:
    """A root filesystem holding only a static busybox and links to the applets tests use."""
    if not busybox.is_file() or not is_static_elf(busybox):
        raise DaemonError(f"{busybox} is missing or not static: install busybox-static")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        bin_dir = tarfile.TarInfo("bin")
        bin_dir.type = tarfile.DIRTYPE
        bin_dir.mode = 0o755
        tar.addfile(bin_dir)
        tar.add(busybox, arcname="bin/busybox")
        for applet in IMAGE_APPLETS:
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type = tarfile.SYMTYPE
            link.linkname = "busybox"
            tar.addfile(link)
    return buffer.getvalue()


def ensure_test_image(client: docker.DockerClient, image: str = TEST_IMAGE) -> None:
    """Build ``image`` with ``docker import`` from the host's busybox if the daemon lacks it."""
    try:
        client.images.get(image)
        return
    except docker.errors.ImageNotFound:
        pass
    repository, _, tag = image.rpartition(":")
    client.api.import_image_from_data(image_tarball(), repository=repository, tag=tag)
    client.images.get(image)
