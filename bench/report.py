"""Turning the benchmark's results into bench/REPORT.md: tables, ratios, targets, and why.

Kept apart from bench.py so that the report can be re-rendered from ``bench/results.json``
without re-running anything: ``python bench/report.py [results.json] [REPORT.md]``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

#: Targets from the issue.
COLD_APPLY_RATIO = 1.15
NOOP_SECONDS = 0.5
PLANNER_CPU = 1.0
#: A higher parallelism is chosen for a kind of call only if it beats 1 by more than this.
WORTH_IT = 0.10
KINDS = ("create", "connect", "disconnect", "delete")


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 0.1 else f"{seconds * 1000:.0f} ms"


def _figures(data: dict[str, Any], scenario: str) -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = data["figures"].get(scenario, {})
    return figures


def floor_of(data: dict[str, Any], scenario: str) -> tuple[str, float] | None:
    """The best floor contender of a scenario: its name and median wall time."""
    floors = {
        name: _median(f["samples"])
        for name, f in _figures(data, scenario).items()
        if name.startswith("floor")
    }
    if not floors:
        return None
    best = min(floors, key=lambda name: floors[name])
    return best, floors[best]


def best_parallelism(data: dict[str, Any]) -> dict[str, tuple[int, str]]:
    """Per kind of call, the parallelism to use by default, and the evidence for it.

    Each scenario's phase timings are compared with parallelism 1; a higher bound is chosen
    only where it wins by more than WORTH_IT in every scenario that measured the kind.
    """
    chosen: dict[str, tuple[int, str]] = {}
    for kind in KINDS:
        gains: dict[int, list[float]] = {}
        evidence: list[str] = []
        for scenario, phases in data["phases"].items():
            table = phases.get(kind)
            if not table or "1" not in {str(p) for p in table}:
                continue
            by_p = {int(p): _median(v) for p, v in table.items()}
            base = by_p[1]
            evidence.append(
                f"{scenario}: " + ", ".join(f"p={p} {_s(t)}" for p, t in sorted(by_p.items()))
            )
            for p, t in by_p.items():
                gains.setdefault(p, []).append((base - t) / base if base else 0.0)
        winners = [p for p, g in gains.items() if p > 1 and g and min(g) > WORTH_IT]
        best = max(winners, key=lambda p: min(gains[p])) if winners else 1
        chosen[kind] = (best, "; ".join(evidence))
    return chosen


def render(data: dict[str, Any]) -> str:
    header = data["header"]
    extra = data["extra"]
    out: list[str] = ["# vlanspec benchmark", ""]
    out += [
        f"Written by `make bench` (bench/bench.py) on {header.get('date', '?')}; "
        f"the whole run took {header.get('duration', '?')}.",
        "",
        f"- Machine: {header['machine']}",
        f"- Engine: Docker {header['engine']}, a private dockerd (no bridge, no iptables)",
        f"- Docker CLI for the shell script: {header.get('docker CLI', '?')}",
        f"- Runs: {header.get('runs', '?')}",
        f"- Load average (1 min): {header.get('load', '?')}; other work on the machine "
        "shows up as noise in every figure",
        *([f"- Profiles: {header['profiles']}"] if "profiles" in header else []),
        "",
        "Every figure is wall time of a whole process (Python start-up and imports included),",
        "the median of the runs listed. Scenarios: N macvlan networks on their own veth parents,",
        "M running containers, M/N per network with a static address; the containers start",
        "with no attachment (started on a holding network and disconnected from it). The floor",
        "is the fewest docker-py calls that reach the same end state (bench/floor.py: creates,",
        "then connects, nothing read, nothing planned).",
        "",
    ]
    for scenario in data["figures"]:
        out += _scenario_table(data, scenario)
    out += _phases(data)
    out += _parallelism(data)
    out += _targets(data)
    out += ["## Python start-up", "", "| what | median |", "|---|---|"]
    for name, seconds in extra.get("startup", {}).items():
        out.append(f"| `{name}` | {_s(seconds)} |")
    out.append("")
    if data["notes"] or any(k.startswith("shell rerun") for k in extra):
        out += ["## Notes", ""]
        out += [f"- {note}" for note in data["notes"]]
        for key, value in extra.items():
            if key.startswith("shell rerun"):
                scenario = key.removeprefix("shell rerun ")
                out.append(
                    f"- {scenario}: the shell script cannot be run twice; its second run "
                    f"stops at: `{value}`"
                )
        out.append("")
    for title, key in (
        ("Profile: `vlanspec plan` with nothing to change", "profile plan"),
        ("Profile: the planner micro-benchmark (300 networks, 3,000 attachments)", "profile diff"),
    ):
        if key in extra:
            out += [f"## {title}", "", "```", _trim(extra[key]), "```", ""]
    return "\n".join(out)


def _trim(profile: str, lines: int = 60) -> str:
    kept = [line for line in profile.splitlines() if line.strip()]
    return "\n".join(kept[:lines])


def _scenario_table(data: dict[str, Any], scenario: str) -> list[str]:
    figures = _figures(data, scenario)
    floor = floor_of(data, scenario)
    out = [f"## {scenario}", ""]
    if floor:
        out += [f"Floor: {floor[0]}, {_s(floor[1])}.", ""]
    out += ["| contender | median | runs | x floor | engine calls |", "|---|---|---|---|---|"]
    for name, f in figures.items():
        median = _median(f["samples"])
        ratio = f"{median / floor[1]:.2f}" if floor else "-"
        calls = str(f["calls"]) if f.get("calls") is not None else ""
        out.append(f"| {name} | {_s(median)} | {len(f['samples'])} | {ratio} | {calls} |")
    out.append("")
    return out


def _phases(data: dict[str, Any]) -> list[str]:
    out = [
        "## Engine calls by kind and parallelism",
        "",
        "Seconds for each phase of the floor (creates and connects in bench/floor.py, replace's",
        "disconnects and deletes there too; the other disconnects and deletes from the",
        "benchmark's teardown, in process), median per parallelism.",
        "",
        "| scenario | kind | " + " | ".join(f"p={p}" for p in (1, 4, 8)) + " |",
        "|---|---|---|---|---|",
    ]
    for scenario, phases in data["phases"].items():
        for kind in KINDS:
            table = {int(p): v for p, v in phases.get(kind, {}).items()}
            if table:
                cells = [_s(_median(table[p])) if p in table else "" for p in (1, 4, 8)]
                out.append(f"| {scenario} | {kind} | " + " | ".join(cells) + " |")
    out.append("")
    return out


def _parallelism(data: dict[str, Any]) -> list[str]:
    from vlanspec.apply import DEFAULT_PARALLELISM

    chosen = best_parallelism(data)
    out = [
        "## Default parallelism",
        "",
        f"Per kind of call, a bound above 1 is worth it only where it beats one call at a time "
        f"by more than {WORTH_IT:.0%} in every scenario measured.",
        "",
        "| kind | measured best | vlanspec default | evidence |",
        "|---|---|---|---|",
    ]
    for kind, (best, evidence) in chosen.items():
        default = {str(k): v for k, v in DEFAULT_PARALLELISM.items()}.get(kind, "?")
        out.append(f"| {kind} | {best} | {default} | {evidence} |")
    mismatched = [
        k
        for k, (b, _) in chosen.items()
        if {str(x): v for x, v in DEFAULT_PARALLELISM.items()}.get(k) != b
    ]
    out.append("")
    stale = [n for n in data["notes"] if "refused to delete" in n]
    if "disconnect" in mismatched:
        mismatched.remove("disconnect")
        out += [
            "**Disconnects stay at 1 although more in flight is faster.** Concurrent "
            "disconnects from one network sometimes leave a stale endpoint on engine 20.10: "
            "no container shows it, force-disconnecting every container by name does not "
            "remove it, and the network cannot be deleted (`has active endpoints`) until the "
            "daemon restarts. While this benchmark was being built, 40 disconnects from one "
            "network with 8 in flight did this about once in ten rounds (connects one at a "
            "time; with disconnects one at a time it was never seen). For vlanspec that would "
            "strand a replace half-way, so safety wins over the gain; `--parallelism` remains "
            "for engines and setups that are measured to be safe."
            + (f" In this run it happened {len(stale)} time(s) (see Notes)." if stale else ""),
            "",
        ]
    if mismatched:
        out += [
            f"This run disagrees with vlanspec.apply.DEFAULT_PARALLELISM for: "
            f"{', '.join(mismatched)} (differences within noise of one run are expected; "
            "change the default only when repeated runs agree).",
            "",
        ]
    return out


def _targets(data: dict[str, Any]) -> list[str]:
    extra = data["extra"]
    out = ["## Targets", "", "| target | result | met |", "|---|---|---|"]
    scenarios = list(data["figures"])
    for scenario in scenarios:
        figures = _figures(data, scenario)
        floor = floor_of(data, scenario)
        cold = figures.get("vlanspec apply (cold)") or figures.get("vlanspec apply (replace)")
        if floor and cold:
            ratio = _median(cold["samples"]) / floor[1]
            out.append(
                f"| {scenario}: vlanspec apply ≤ {COLD_APPLY_RATIO}x floor | {ratio:.2f}x | "
                f"{_yes(ratio <= COLD_APPLY_RATIO)} |"
            )
        mine = figures.get("vlanspec apply (cold)")
        for rival in ("shell script of docker commands", "ansible community.docker (cold)"):
            if mine and rival in figures:
                ratio = _median(figures[rival]["samples"]) / _median(mine["samples"])
                out.append(
                    f"| {scenario}: faster than {rival} | {rival} takes {ratio:.2f}x vlanspec's "
                    f"time | {_yes(ratio > 1)} |"
                )
        rival_noop = figures.get("ansible community.docker (no change)")
        noop = figures.get("vlanspec apply (no change)")
        if noop and rival_noop:
            ratio = _median(rival_noop["samples"]) / _median(noop["samples"])
            out.append(
                f"| {scenario}: no-op faster than Ansible's no-op | Ansible takes {ratio:.1f}x | "
                f"{_yes(ratio > 1)} |"
            )
    largest = max(scenarios, key=_size) if scenarios else None
    if largest:
        figures = _figures(data, largest)
        for name in ("vlanspec apply (no change)", "vlanspec plan (no change)"):
            if name in figures:
                median = _median(figures[name]["samples"])
                out.append(
                    f"| {largest}: {name} < {NOOP_SECONDS} s | {_s(median)} | "
                    f"{_yes(median < NOOP_SECONDS)} |"
                )
    planner = extra.get("planner")
    if planner:
        worst = max(planner["cold_cpu"], planner["noop_cpu"])
        out.append(
            f"| planner, {planner['networks']:,} networks x {planner['attachments']:,} "
            f"attachments < {PLANNER_CPU} s CPU | cold {planner['cold_cpu']:.2f} s, no-op "
            f"{planner['noop_cpu']:.2f} s | {_yes(worst < PLANNER_CPU)} |"
        )
    out.append("")
    explanations = extra.get("explanations") or []
    if explanations:
        out += ["### Why the missed targets are missed", ""]
        out += explanations
        out.append("")
    return out


def _size(scenario: str) -> int:
    try:
        networks, containers = scenario.split(" x ")[-2:]
        return int(networks.split()[-1]) * int(containers.split()[0])
    except ValueError:
        return 0


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def main(argv: list[str]) -> None:
    here = Path(__file__).resolve().parent
    source = Path(argv[0]) if argv else here / "results.json"
    target = Path(argv[1]) if len(argv) > 1 else here / "REPORT.md"
    data = json.loads(source.read_text())
    data["header"].setdefault("date", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    target.write_text(render(data))


if __name__ == "__main__":
    main(sys.argv[1:])
