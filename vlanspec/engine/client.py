"""Connecting to a Docker engine the way the docker CLI does.

The address comes from ``--docker-host``, else ``DOCKER_HOST``, else the current docker CLI
context, else the default socket; ``DOCKER_TLS_VERIFY`` and ``DOCKER_CERT_PATH`` apply as they
do for the CLI (docker-py's ``from_env`` implements exactly that). A failure to connect is a
user's problem with a hint (start the daemon, fix permissions), never a traceback.
"""

from __future__ import annotations

import os
from typing import Any

import docker
import docker.errors
import requests.exceptions

from vlanspec.engine.engine import Engine
from vlanspec.engine.errors import EngineUnreachable
from vlanspec.logs import get_logger
from vlanspec.state import EngineInfo

DEFAULT_HOST = "unix:///var/run/docker.sock"
#: Seconds to wait for one engine call; network operations on a busy engine can take a while.
DEFAULT_TIMEOUT = 120
#: Asked first, to learn the server's version; any engine vlanspec supports speaks it.
PROBE_API_VERSION = "1.41"

log = get_logger(__name__)


def connect(docker_host: str | None = None, *, timeout: int = DEFAULT_TIMEOUT) -> Engine:
    """Connect to the engine at ``docker_host`` (or the CLI's usual choice) and identify it.

    One call (``GET /version``) learns the engine and API versions; the client then speaks the
    engine's own API version, as the docker CLI negotiates it. ``timeout`` bounds every engine
    call, in seconds (``--timeout``).
    """
    environment = dict(os.environ)
    if docker_host:
        environment["DOCKER_HOST"] = docker_host
    url = _resolved_url(environment)
    probe = _client(environment, url, PROBE_API_VERSION, timeout)
    try:
        version: dict[str, Any] = probe.version(api_version=False)
    except docker.errors.APIError as error:
        raise EngineUnreachable(
            url, str(error.explanation or error), "is this address a Docker engine?"
        ) from None
    except (requests.exceptions.RequestException, docker.errors.DockerException, OSError) as error:
        raise _unreachable(url, error) from None
    finally:
        probe.close()
    api_version = str(version.get("ApiVersion") or PROBE_API_VERSION)
    api = _client(environment, url, api_version, timeout)
    info = EngineInfo(
        version=str(version.get("Version") or "unknown"),
        api_version=api_version,
        local=api.base_url == "http+docker://localhost",
        host=url,
    )
    engine = Engine(api, info)
    engine.calls["version"] += 1
    log.info("connected", host=url, version=info.version, api_version=api_version)
    return engine


def _resolved_url(environment: dict[str, str]) -> str:
    """The address docker-py will use, for messages: DOCKER_HOST, the CLI context, the socket."""
    if environment.get("DOCKER_HOST"):
        return environment["DOCKER_HOST"]
    try:
        from docker.context import ContextAPI

        params = ContextAPI.kwargs_from_context(environment=environment)
    except (AttributeError, ImportError, OSError, ValueError, docker.errors.DockerException):
        return DEFAULT_HOST  # docker-py without context support, or an unreadable config
    return str(params.get("base_url") or DEFAULT_HOST)


def _client(environment: dict[str, str], url: str, version: str, timeout: int) -> docker.APIClient:
    try:
        client = docker.DockerClient.from_env(
            environment=environment, version=version, timeout=timeout
        )
    except docker.errors.DockerException as error:
        raise EngineUnreachable(
            url, str(error), "check --docker-host, DOCKER_HOST and the DOCKER_TLS_* variables"
        ) from None
    api: docker.APIClient = client.api
    return api


def _unreachable(url: str, error: BaseException) -> EngineUnreachable:
    """A connection failure with the likely cause named: no daemon, or no permission."""
    text = str(error)
    if "PermissionError" in text or "Permission denied" in text:
        return EngineUnreachable(
            url,
            "permission denied",
            "run vlanspec as a user in the 'docker' group (or as root), or point "
            "--docker-host at an engine you may use",
        )
    if "FileNotFoundError" in text or "No such file" in text:
        return EngineUnreachable(
            url,
            "no such socket",
            "is the Docker daemon running? Choose another engine with --docker-host or DOCKER_HOST",
        )
    if "Connection refused" in text or "ConnectionRefused" in text:
        return EngineUnreachable(
            url,
            "connection refused",
            "is the Docker daemon running and listening there? Check --docker-host or DOCKER_HOST",
        )
    return EngineUnreachable(
        url, text, "check that the engine is running and --docker-host or DOCKER_HOST is right"
    )
