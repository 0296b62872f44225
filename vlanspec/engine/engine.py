"""One Docker engine as a value: read its live state, perform one action at a time.

Everything that talks to the engine goes through :meth:`Engine._call`, which counts the call
(``-v`` logs the count, and tests assert that a read costs the same however big the host is)
and turns the engine's refusals into :class:`EngineError` naming the action.

Failures are handled with care, differently for reads and writes:

- a read (:data:`READS`) that fails transiently (the connection refused, reset or dropped, or a
  5xx answer) is tried again after a bounded exponential backoff (:data:`RETRY_DELAYS`); a read
  that timed out is not retried (the timeout is the user's budget per call);
- a write is never sent twice: when it fails without a clear refusal (5xx, a broken connection,
  a timeout) the engine may or may not have done it, so vlanspec reads back what happened (does
  the network exist now with our labels? is the container attached?) and counts it done if so,
  else fails naming the action and what the check found.

Refusals (4xx: an address in use, a pool overlap) are neither retried nor checked: they are
answers.
"""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import threading
import time
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
from vlanspec.errors import UserError
from vlanspec.logs import get_logger
from vlanspec.plan.model import Endpoint, NetworkConfig
from vlanspec.spec.model import Spec, Subnet
from vlanspec.state import EngineInfo, JournalEntry, LiveState

T = TypeVar("T")
log = get_logger(__name__)

#: Container inspects (for aliases) in flight at once: enough to hide latency, few enough not
#: to load a busy engine.
INSPECT_WORKERS = 8

#: Operations that only read; they may be retried (see the module docstring).
READS = frozenset(
    {"networks", "containers", "inspect", "volumes", "volume_inspect", "network_inspect"}
)
#: Seconds to wait before each retry of a read (plus up to 25% jitter): 4 tries in all, about
#: 1.5 s, enough for an engine restarting its API or a dropped connection.
RETRY_DELAYS = (0.1, 0.3, 0.9)

#: Test hook (never set in normal use): ``VLANSPEC_TEST_KILL_AFTER_CALL=k`` makes the process
#: SIGKILL itself right after its k-th engine request returned (or failed), so the crash tests
#: can stop a run at a precise moment. Counted per process, over every try of every call.
KILL_AFTER_CALL = "VLANSPEC_TEST_KILL_AFTER_CALL"


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
        #: Delays before retrying a read; tests make them zero.
        self.retry_delays: tuple[float, ...] = RETRY_DELAYS
        self._requests = 0
        self._kill_after = int(os.environ.get(KILL_AFTER_CALL) or 0)

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
        """Everything on the engine, in three list calls (networks, containers, journal volumes,
        made at once) plus one inspect per aliased container.

        ``aliases_for`` says whose aliases to read (the lists do not carry them): for a spec,
        the containers whose entries declare aliases, where attached to one of its networks;
        for names, those containers on any network; for None, nobody. Endpoints of other
        containers have ``aliases=None``.
        """
        # The three lists do not depend on each other: in flight at once, the engine answers
        # them together instead of one after the other.
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="read") as pool:
            networks_listed = pool.submit(
                self._call, "networks", "list networks", self._api.networks
            )
            containers_listed = pool.submit(
                self._call, "containers", "list containers", self._api.containers, all=True
            )
            journal_listed = pool.submit(self.read_journal)
            raw_networks: list[dict[str, Any]] = networks_listed.result()
            raw_containers: list[dict[str, Any]] = containers_listed.result()
            journal = journal_listed.result()
        names, networks = read.wanted_aliases(aliases_for)
        targets = read.alias_targets(raw_containers, names, networks)
        aliases = self._read_aliases(targets, networks)
        live = read.build_live_state(self._info, raw_networks, raw_containers, aliases)
        live = dataclasses.replace(live, journal=journal)
        log.info(
            "read live state",
            networks=len(live.networks),
            containers=len(live.containers),
            endpoints=len(live.endpoints),
            inspected=len(targets),
            engine_calls=self.total_calls,
        )
        return live

    def read_journal(self) -> tuple[JournalEntry, ...]:
        """Every journal entry on the engine (:mod:`vlanspec.journal`): one volumes list."""
        from vlanspec import journal

        raw: dict[str, Any] = self._call(
            "volumes", "list volumes", self._api.volumes, filters={"label": journal.LABEL}
        )
        entries = (
            journal.entry_from_volume(str(v.get("Name") or ""), v.get("Labels"))
            for v in raw.get("Volumes") or []
        )
        found = [e for e in entries if e is not None]
        return tuple(sorted(found, key=lambda e: (e.spec, e.network, e.generation, e.name)))

    def read_aliases(self, live: LiveState, containers: Collection[str]) -> LiveState:
        """``live`` with the aliases of ``containers`` read too: one inspect per container.

        For what only some plans need: before a replace or a reattach reconnects containers
        whose aliases the spec leaves alone, those aliases must be known so they get them back.
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
        action = f"create network {config.name}"

        def created() -> str | None:
            found = self._network_named(config.name)
            if found is None or not _has_labels(found.get("Labels"), config.labels):
                return None
            return str(found.get("Id") or "")

        result: dict[str, Any] = self._write(
            "create_network",
            action,
            lambda: None if (ident := created()) is None else {"Id": ident},
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
        self._write(
            "remove_network",
            f"delete network {name}",
            lambda: True if self._network_named(name) is None else None,
            self._api.remove_network,
            name,
        )

    def _network_named(self, name: str) -> dict[str, Any] | None:
        """The network called exactly ``name`` (the list filter matches substrings), or None."""
        raw: list[dict[str, Any]] = self._call(
            "networks", f"list networks named {name}", self._api.networks, names=[name]
        )
        return next((n for n in raw if n.get("Name") == name), None)

    def _attached(self, container: str, network: str) -> bool | None:
        """Whether ``container`` is attached to ``network`` now (None: no such container)."""
        try:
            raw: dict[str, Any] = self._call(
                "inspect",
                f"inspect container {container}",
                self._api.inspect_container,
                container,
            )
        except EngineError as error:
            if error.status == 404:
                return None
            raise
        return network in read.container_networks(raw)

    def connect(self, endpoint: Endpoint) -> None:
        """Connect one container with the addresses, MAC and aliases ``endpoint`` gives.

        The MAC goes in the endpoint's ``MacAddress`` field; engines before 29.3 accept and
        ignore it, which is why apply verifies instead of trusting.
        """
        self._write(
            "connect",
            f"connect container {endpoint.container} to network {endpoint.network}",
            lambda: True if self._attached(endpoint.container, endpoint.network) else None,
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
        self._write(
            "disconnect",
            f"disconnect container {container} from network {network}",
            lambda: True if self._attached(container, network) is False else None,
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
        result: dict[str, Any] = self._write(
            "volume_create",
            f"create volume {name}",
            lambda: None if (labels := self.volume_labels(name)) is None else {"Labels": labels},
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
            self._write(
                "volume_remove",
                f"remove volume {name}",
                lambda: True if self.volume_labels(name) is None else None,
                self._api.remove_volume,
                name,
            )
        except EngineError as error:
            if error.status != 404:
                raise

    # -- the one door to the engine --------------------------------------------------------

    def _call(self, operation: str, action: str, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """One engine call; a read is tried again after transient failures (module docstring)."""
        delays = self.retry_delays if operation in READS else ()
        for tries, delay in enumerate((*delays, None), start=1):
            try:
                return self._once(operation, action, fn, *args, **kw)
            except (EngineError, EngineUnreachable) as error:
                if not _retryable(error) or (tries == 1 and delay is None):
                    raise
                if delay is None:
                    raise _tried(error, tries) from None
                wait = delay * (1 + random.random() / 4)  # jitter, not secrecy
                log.info("retrying a read", action=action, error=error.message, wait=wait)
                time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _write(
        self,
        operation: str,
        action: str,
        check: Callable[[], T | None],
        fn: Callable[..., T],
        *args: Any,
        **kw: Any,
    ) -> T:
        """One write, never repeated; after a failure that is not a refusal, ``check`` reads
        back what happened: its answer (not None) means the write took effect after all."""
        try:
            return self._once(operation, action, fn, *args, **kw)
        except (EngineError, EngineUnreachable) as error:
            if isinstance(error, EngineError) and not error.transient:
                raise
            failure = error
        log.warning("write failed, checking what happened", action=action, error=failure.message)
        try:
            done = check()
        except (EngineError, EngineUnreachable) as error:
            raise _with_hint(failure, _unknown(action, error)) from None
        if done is None:
            raise _with_hint(
                failure,
                f"vlanspec read the engine afterwards and found the {action.split()[0]} not "
                "done; check that the engine is healthy, then run again (a new plan starts from "
                "what is live)",
            ) from None
        log.warning("write took effect despite the failure", action=action)
        return done

    def _once(self, operation: str, action: str, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
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
        except requests.exceptions.Timeout:
            raise EngineUnreachable(
                self._info.host or "the engine",
                f"{action}: no answer within {self._timeout()} s",
                "the engine is slow or stuck; it may still finish what it was asked. Check "
                "it, then run again (a new plan starts from what is live), or allow more time "
                "with --timeout",
                timed_out=True,
            ) from None
        except (requests.exceptions.RequestException, docker.errors.DockerException) as error:
            raise EngineUnreachable(
                self._info.host or "the engine",
                f"{action}: {error}",
                "the engine stopped answering; check that it is running, then run again "
                "(what was done so far is shown above; a new plan picks up from there)",
            ) from None
        finally:
            self._count_request()

    def _timeout(self) -> object:
        return getattr(self._api, "timeout", "?")

    def _count_request(self) -> None:
        with self._lock:
            self._requests += 1
            kill = self._kill_after and self._requests == self._kill_after
        if kill:  # the test hook (see KILL_AFTER_CALL)
            os.kill(os.getpid(), signal.SIGKILL)


def _retryable(error: EngineError | EngineUnreachable) -> bool:
    if isinstance(error, EngineError):
        return error.transient
    return not error.timed_out


def _copy(error: EngineError | EngineUnreachable, reason: str, hint: str | None) -> UserError:
    if isinstance(error, EngineError):
        return EngineError(error.action, reason, status=error.status, hint=hint)
    return EngineUnreachable(error.url, reason, hint or "", timed_out=error.timed_out)


def _tried(error: EngineError | EngineUnreachable, tries: int) -> UserError:
    """``error``, saying that the read was tried ``tries`` times."""
    return _copy(error, f"{error.reason} (tried {tries} times)", error.hint)


def _with_hint(error: EngineError | EngineUnreachable, hint: str) -> UserError:
    return _copy(error, error.reason, hint)


def _unknown(action: str, error: EngineError | EngineUnreachable) -> str:
    return (
        f"vlanspec could not read back whether '{action}' took effect ({error.message}); "
        "check the engine, then run 'vlanspec plan' to see what is live"
    )


def _has_labels(labels: object, wanted: Mapping[str, str]) -> bool:
    have = labels if isinstance(labels, Mapping) else {}
    return all(have.get(k) == v for k, v in wanted.items())


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
