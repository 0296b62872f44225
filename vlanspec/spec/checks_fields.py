"""Checks of fields whose rules the schema cannot say: options, labels and names.

``options`` pass straight to Docker, so one that repeats ``parent``, the mode or the flag would
either fight the field or silently win over it. Labels under ``io.vlanspec.`` are how vlanspec
knows what it owns; letting a spec set them would let it forge ownership. Docker's own name
rules are stricter than the schema's pattern in two places: container names have at least two
characters, and the predefined network names cannot be created.
"""

from __future__ import annotations

from collections.abc import Iterator

from vlanspec.diagnostics import Diagnostic
from vlanspec.spec.model import FLAG_OPTION, LABEL_PREFIX, MODE_OPTION, Spec

#: Option keys that fields of a network already set, and the field to use instead.
FIELD_OPTIONS = {"parent": "parent", **{key: "mode" for key in MODE_OPTION.values()}}
FIELD_OPTIONS[FLAG_OPTION] = "flag"
#: Networks every Docker engine has; a user network cannot take their names.
PREDEFINED_NETWORKS = frozenset({"bridge", "host", "none"})


def check_fields(spec: Spec) -> Iterator[Diagnostic]:
    """Option and label keys, and network and container names, of ``spec``."""
    for network in spec.networks:
        if network.name in PREDEFINED_NETWORKS:
            yield Diagnostic.error(
                "spec.network-name",
                f"'{network.name}' is the name of a network Docker predefines",
                spec.locate_key(network.path),
                f"rename the network, e.g. '{network.name}_vlan'",
            )
        for key in network.options:
            field = FIELD_OPTIONS.get(key)
            if field is not None:
                yield Diagnostic.error(
                    "spec.option-field",
                    f"option '{key}' of network '{network.name}' repeats the '{field}' field",
                    spec.locate_key((*network.path, "options", key)),
                    f"remove the option and set '{field}' on the network",
                )
        for key in network.labels:
            if key.startswith(LABEL_PREFIX):
                yield Diagnostic.error(
                    "spec.reserved-label",
                    f"label '{key}' of network '{network.name}' is under the prefix "
                    f"'{LABEL_PREFIX}', which vlanspec keeps for itself",
                    spec.locate_key((*network.path, "labels", key)),
                    "choose a label key with another prefix (vlanspec sets its own labels)",
                )
    for container in spec.containers:
        if len(container) < 2:
            yield Diagnostic.error(
                "spec.container-name",
                f"'{container}' cannot be a Docker container name: they have at least two "
                "characters",
                spec.locate_key(("containers", container)),
                "use the container's real name (as 'docker ps' shows it)",
            )
