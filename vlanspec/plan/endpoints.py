"""Attachments, normalized: what the spec wants, what a container has, and what differs.

A reattach disconnects a container, so only differences that a reattach can fix and that the
engine will honour count. The rules:

- a static address in the spec is compared with the address the container asked for
  (IPAMConfig), or, when it asked for none, with the address it has; a container the spec
  wants dynamic but that is pinned to an address is reattached to drop the pin;
- a stopped container has no address until it starts: its requested address stands for it;
- aliases compare as sets, after removing the container's name and short id (engine 20.10
  adds the short id on every user network), and only where the spec declares them: an
  attachment without ``aliases`` keeps the ones the container has (a reattach or replace
  connects it with them again); aliases that were not read are not compared;
- a MAC compares only when the spec pins one, the network is macvlan and the engine honours a
  MAC on connect (29.3+); on older engines it never counts, or the plan would reattach forever.
"""

from __future__ import annotations

from collections.abc import Collection

from vlanspec.plan.model import Change, Endpoint, NetworkConfig
from vlanspec.plan.normalize import address_in, canonical_address, canonical_mac
from vlanspec.spec.model import Attachment
from vlanspec.state import LiveEndpoint, user_aliases

#: What a dynamic attachment shows where an address would be.
DYNAMIC = "dynamic"


def _address(text: str | None) -> str | None:
    return canonical_address(text) if text else None


def desired_endpoint(
    attachment: Attachment, *, mac_allowed: bool, live: LiveEndpoint | None = None
) -> Endpoint:
    """The attachment the spec asks for, in canonical spelling.

    ``mac_allowed`` is False on ipvlan networks and on engines that ignore a MAC on connect:
    then no MAC is asked for, so the plan shows only what the engine will actually do. Where
    the spec gives no aliases, the container's ``live`` ones (when read) are asked for again.
    """
    mac = attachment.mac_address if mac_allowed else None
    if attachment.aliases is not None:
        aliases = tuple(sorted(set(attachment.aliases)))
    elif live is not None and live.aliases is not None:
        aliases = user_aliases(live.aliases, live.container, live.container_id)
    else:
        aliases = ()
    return Endpoint(
        container=attachment.container,
        network=attachment.network,
        ipv4_address=_address(attachment.ipv4_address),
        ipv6_address=_address(attachment.ipv6_address),
        mac_address=canonical_mac(mac) if mac else None,
        aliases=aliases,
    )


def current_endpoint(live: LiveEndpoint) -> Endpoint:
    """A live attachment as it is, for the plan's lists of containers that are disconnected.

    The address shown is the one the container has, or the one it asked for when it is stopped.
    """
    return Endpoint(
        container=live.container,
        network=live.network,
        ipv4_address=_address(live.ipv4_address or live.requested_ipv4),
        ipv6_address=_address(live.ipv6_address or live.requested_ipv6),
        mac_address=canonical_mac(live.mac_address) if live.mac_address else None,
        aliases=user_aliases(live.aliases or (), live.container, live.container_id),
    )


def _kept(requested: str | None, config: NetworkConfig, taken: Collection[str]) -> str | None:
    if not requested:
        return None
    address = canonical_address(requested)
    if address in taken or not address_in(address, config.subnets):
        return None
    return address


def kept_endpoint(
    live: LiveEndpoint, config: NetworkConfig, *, mac_allowed: bool, taken: Collection[str]
) -> Endpoint:
    """The settings a container the spec does not list gets back after its network is replaced.

    Its requested static address is kept while it lies in the new subnets and the spec does not
    give it to another container (``taken``); otherwise it is connected with a dynamic address.
    Its aliases are kept, and its MAC where the engine and the new driver can set one.
    """
    mac = live.mac_address if mac_allowed else None
    return Endpoint(
        container=live.container,
        network=config.name,
        ipv4_address=_kept(live.requested_ipv4, config, taken),
        ipv6_address=_kept(live.requested_ipv6, config, taken),
        mac_address=canonical_mac(mac) if mac else None,
        aliases=user_aliases(live.aliases or (), live.container, live.container_id),
    )


def _address_change(
    field: str, want: str | None, requested: str | None, actual: str | None
) -> Change | None:
    if want is None:
        return Change(field, canonical_address(requested), DYNAMIC) if requested else None
    have = requested or actual
    if have is None:
        return Change(field, DYNAMIC, want)
    return None if canonical_address(have) == want else Change(field, canonical_address(have), want)


def endpoint_changes(want: Endpoint, live: LiveEndpoint) -> tuple[Change, ...]:
    """What differs between a wanted attachment and the live one (see the module rules).

    ``want`` comes from :func:`desired_endpoint`, so its MAC is None wherever a MAC must not
    count.
    """
    changes: list[Change] = []
    for field, wanted, requested, actual in (
        ("ipv4_address", want.ipv4_address, live.requested_ipv4, live.ipv4_address),
        ("ipv6_address", want.ipv6_address, live.requested_ipv6, live.ipv6_address),
    ):
        change = _address_change(field, wanted, requested, actual)
        if change is not None:
            changes.append(change)
    if (
        want.mac_address is not None
        and live.mac_address is not None
        and canonical_mac(live.mac_address) != want.mac_address
    ):
        changes.append(Change("mac_address", canonical_mac(live.mac_address), want.mac_address))
    if live.aliases is not None:
        have = user_aliases(live.aliases, live.container, live.container_id)
        wanted_aliases = user_aliases(want.aliases, live.container, live.container_id)
        if have != wanted_aliases:
            changes.append(
                Change("aliases", ", ".join(have) or None, ", ".join(want.aliases) or None)
            )
    return tuple(changes)
