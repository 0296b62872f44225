"""One Docker engine as a value: read its live state, perform one action at a time.

Everything that talks to the engine goes through :meth:`Engine._call`, which counts the call
(``-v`` logs the count, and tests assert that a read costs the same however big the host is)
and turns the engine's refusals into :class:`EngineError` naming the action.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import docker
import docker.errors
import requests.exceptions
from docker.types import IPAMConfig, IPAMPool

from vlanspec.engine import read
from vlanspec.engine.capabilities import Capabilities, capabilities
from vlanspec.engine.errors import EngineError, EngineUnreachable
from vlanspec.logs import get_logger
from vlanspec.plan.model import Endpoint, NetworkConfig
from vlanspec.spec.model import Spec, Subnet
from vlanspec.state import EngineInfo, LiveState

T = TypeVar("T")
log = get_logger(__name__)

#: Container inspects (for aliases) in flight at once: enough to hide latency, few enough not
#: to load a busy engine.
INSPECT_WORKERS = 8


class Engine:
    """A connected Docker engine. Make one with :func:`vlanspec.engine.connect`.

    It holds a docker-py low-level client; vlanspec uses the raw API only, so that reads cost a
    known number of calls and creates can send exactly the JSON the engine documents.
    """

    def __init__(self, api: docker.APIClient, info: EngineInfo) -> None:
        self._api = api
        self._info = info
        self._lock = threading.Lock()
        #: Engine API calls made so far, by operation ("networks", "inspect", "connect", ...).
        self.calls: Counter[str] = Counter()

    # -- about the engine ------------------------------------------------------------------

    def info(self) -> EngineInfo:
        """Version, API version, and whether the engine runs on this host (read at connect)."""
        return self._info

    @property
    def capabilities(self) -> Capabilities:
        return capabilities(self._info.version)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def close(self) -> None:
        self._api.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------

    def read_live(self, aliases_for: Spec | Iterable[str] | None = None) -> LiveState:
        """Everything on the engine, in two list calls plus one inspect per aliased container.

        ``aliases_for`` says whose aliases to read (the lists do not carry them): for a spec,
        the containers it names that are attached to one of its networks; for names, those
        containers on any network; for None, nobody. Endpoints of other containers have
        ``aliases=None``.
        """
        raw_networks: list[dict[str, Any]] = self._call(
            "networks", "list networks", self._api.networks
        )
        raw_containers: list[dict[str, Any]] = self._call(
            "containers", "list containers", self._api.containers, all=True
        )
        names, networks = read.wanted_aliases(aliases_for)
        targets = read.alias_targets(raw_containers, names, networks)
        aliases = self._read_aliases(targets, networks)
        live = read.build_live_state(self._info, raw_networks, raw_containers, aliases)
        log.info(
            "read live state",
            networks=len(live.networks),
            containers=len(live.containers),
            endpoints=len(live.endpoints),
            inspected=len(targets),
            engine_calls=self.total_calls,
        )
        return live

    def read_aliases(self, live: LiveState, containers: Collection[str]) -> LiveState:
        """``live`` with the aliases of ``containers`` read too: one inspect per container.

        For what only some plans need: before a replace reconnects containers the spec does
        not list, their aliases must be known so they get them back.
        """
        ids = sorted({e.container_id for e in live.endpoints if e.container in containers})
        if not ids:
            return live
        aliased = read.with_aliases(live, self._read_aliases(ids, None))
        log.info("read aliases", containers=len(ids), engine_calls=self.total_calls)
        return aliased

    def _read_aliases(
        self, container_ids: list[str], networks: frozenset[str] | None
    ) -> read.AliasTable:
        if not container_ids:
            return {}
        table: dict[tuple[str, str], tuple[str, ...]] = {}
        workers = min(INSPECT_WORKERS, len(container_ids))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="inspect") as pool:
            for raw in pool.map(self._inspect_or_none, container_ids):
                if raw is not None:
                    table.update(read.aliases_from_inspect(raw, networks))
        return table

    def _inspect_or_none(self, container_id: str) -> dict[str, Any] | None:
        """A container's inspect, or None when it was removed since the list (a race, not an
        error: its endpoints then simply have no aliases)."""
        try:
            raw: dict[str, Any] = self._call(
                "inspect",
                f"inspect container {container_id[:12]}",
                self._api.inspect_container,
                container_id,
            )
        except EngineError as error:
            if error.status == 404:
                return None
            raise
        return raw

    # -- single actions --------------------------------------------------------------------

    def create_network(self, config: NetworkConfig) -> str:
        """Create one network exactly as ``config`` says; returns its id.

        ``check_duplicate`` makes engines before 25.0 refuse a second network of the same name
        instead of silently creating one.
        """
        result: dict[str, Any] = self._call(
            "create_network",
            f"create network {config.name}",
            self._api.create_network,
            config.name,
            driver=config.driver,
            options=dict(config.options) or None,
            ipam=_ipam(config.subnets),
            check_duplicate=True,
            internal=config.internal,
            labels=dict(config.labels) or None,
            enable_ipv6=config.ipv6,
        )
        return str(result.get("Id") or "")

    def remove_network(self, name: str) -> None:
        self._call("remove_network", f"delete network {name}", self._api.remove_network, name)

    def connect(self, endpoint: Endpoint) -> None:
        """Connect one container with the addresses, MAC and aliases ``endpoint`` gives.

        The MAC goes in the endpoint's ``MacAddress`` field; engines before 29.3 accept and
        ignore it, which is why apply verifies instead of trusting.
        """
        self._call(
            "connect",
            f"connect container {endpoint.container} to network {endpoint.network}",
            self._api.connect_container_to_network,
            endpoint.container,
            endpoint.network,
            ipv4_address=endpoint.ipv4_address,
            ipv6_address=endpoint.ipv6_address,
            aliases=list(endpoint.aliases) or None,
            mac_address=endpoint.mac_address,
        )

    def disconnect(self, container: str, network: str, *, force: bool = False) -> None:
        """Disconnect one container from one network.

        Not forced by default: vlanspec only disconnects containers it has just seen in the
        containers list, and ``force`` exists for endpoints whose container is gone, where it
        would hide a state worth reporting rather than fix one.
        """
        self._call(
            "disconnect",
            f"disconnect container {container} from network {network}",
            self._api.disconnect_container_from_network,
            container,
            network,
            force=force,
        )

    # -- volumes, for the lock (vlanspec.lock) ----------------------------------------------

    def create_volume(self, name: str, labels: Mapping[str, str]) -> dict[str, str]:
        """Create volume ``name`` with ``labels`` unless it exists; the labels it has now.

        The engine answers a create of an existing name with the existing volume and its
        original labels: comparing them with ours tells atomically who created it.
        """
        result: dict[str, Any] = self._call(
            "volume_create",
            f"create volume {name}",
            self._api.create_volume,
            name,
            labels=dict(labels),
        )
        return dict(result.get("Labels") or {})

    def volume_labels(self, name: str) -> dict[str, str] | None:
        """The labels of volume ``name``; None when there is no such volume."""
        try:
            raw: dict[str, Any] = self._call(
                "volume_inspect", f"inspect volume {name}", self._api.inspect_volume, name
            )
        except EngineError as error:
            if error.status == 404:
                return None
            raise
        return dict(raw.get("Labels") or {})

    def remove_volume(self, name: str) -> None:
        """Remove volume ``name``; no error when it is already gone."""
        try:
            self._call("volume_remove", f"remove volume {name}", self._api.remove_volume, name)
        except EngineError as error:
            if error.status != 404:
                raise

    # -- the one door to the engine --------------------------------------------------------

    def _call(self, operation: str, action: str, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        with self._lock:
            self.calls[operation] += 1
        log.debug("engine call", operation=operation, action=action)
        try:
            return fn(*args, **kw)
        except docker.errors.APIError as error:
            reason = str(error.explanation or error)
            raise EngineError(action, reason, status=error.status_code) from None
        except docker.errors.InvalidVersion as error:  # a feature this engine's API lacks
            raise EngineError(action, str(error)) from None
        except (requests.exceptions.RequestException, docker.errors.DockerException) as error:
            raise EngineUnreachable(
                self._info.host or "the engine",
                f"{action}: {error}",
                "the engine stopped answering; check that it is running, then run again "
                "(what was done so far is shown above; a new plan picks up from there)",
            ) from None


def _ipam(subnets: tuple[Subnet, ...]) -> IPAMConfig | None:
    if not subnets:
        return None
    return IPAMConfig(
        pool_configs=[
            IPAMPool(
                subnet=s.subnet,
                iprange=s.ip_range,
                gateway=s.gateway,
                aux_addresses=dict(s.aux_addresses) or None,
            )
            for s in subnets
        ]
    )
