"""The floor: the fewest docker-py calls that reach a scenario's end state, and nothing else.

No spec, no planning, no reading: it is told exactly what to create and connect. Run as its own
process (``python bench/floor.py ...``) so that its wall time includes Python start-up and the
import of docker-py, like every other contender. Prints one JSON object: seconds per phase.

    floor.py up      SCENARIO.json URL API_VERSION PARALLELISM   networks, then connects
    floor.py replace SCENARIO.json URL API_VERSION PARALLELISM   disconnect all, delete,
                                                                   create, reconnect all
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import docker
from docker.types import IPAMConfig, IPAMPool


def run_all(calls: Sequence[Callable[[], Any]], parallelism: int) -> float:
    """Run ``calls`` with up to ``parallelism`` in flight; seconds taken. Any failure raises."""
    started = time.perf_counter()
    if parallelism == 1:
        for call in calls:
            call()
    else:
        with ThreadPoolExecutor(max_workers=parallelism) as pool:
            for future in [pool.submit(call) for call in calls]:
                future.result()
    return time.perf_counter() - started


def create_calls(api: docker.APIClient, networks: list[dict[str, Any]]) -> list[Any]:
    def create(net: dict[str, Any]) -> Callable[[], Any]:
        return lambda: api.create_network(
            net["name"],
            driver="macvlan",
            options={"parent": net["parent"]},
            ipam=IPAMConfig(pool_configs=[IPAMPool(subnet=net["subnet"], gateway=net["gateway"])]),
            labels=net["labels"],
            check_duplicate=True,
        )

    return [create(n) for n in networks]


def connect_calls(api: docker.APIClient, attachments: list[dict[str, Any]]) -> list[Any]:
    def connect(a: dict[str, Any]) -> Callable[[], Any]:
        return lambda: api.connect_container_to_network(
            a["container"], a["network"], ipv4_address=a["ipv4"]
        )

    return [connect(a) for a in attachments]


def main(argv: list[str]) -> None:
    operation, scenario_path, url, api_version, parallelism_text = argv
    parallelism = int(parallelism_text)
    with open(scenario_path) as file:
        scenario = json.load(file)
    api = docker.APIClient(base_url=url, version=api_version)
    networks, attachments = scenario["networks"], scenario["attachments"]
    timings: dict[str, float] = {}
    if operation == "replace":
        timings["disconnect"] = run_all(
            [
                partial(api.disconnect_container_from_network, a["container"], a["network"])
                for a in attachments
            ],
            parallelism,
        )
        timings["delete"] = run_all(
            [partial(api.remove_network, n["name"]) for n in networks], parallelism
        )
    timings["create"] = run_all(create_calls(api, networks), parallelism)
    timings["connect"] = run_all(connect_calls(api, attachments), parallelism)
    api.close()
    print(json.dumps(timings))


if __name__ == "__main__":
    main(sys.argv[1:])
