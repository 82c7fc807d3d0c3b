"""Split a build across machines: `python -m gallery_builder build --shard I/N`.

Each of N shards runs its share of the scripts that have no usable cached entry and stores
their outputs in its cache; `python -m gallery_builder merge DIR...` then copies the shards'
entries into one cache, and a normal build finds every script cached.

The shares must not depend on which machine computes them, nor on which shards already ran
(shards may run one after the other on one cache), so they are computed from two things only:
the scripts' paths and the run times in `<cache>/times.json`, which only a full build writes.
Longest scripts first, each to the shard with the least work so far; a script never timed
counts as the median known time.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..run.results import ExampleResult
from .store import write_atomically

TIMES_FILE = "times.json"
UNKNOWN_SECONDS = 10.0  # a script's weight when no run time is known at all
MIN_SECONDS = 0.1


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if match is None or not 1 <= int(match.group(1)) <= int(match.group(2)):
            raise ValueError(f"--shard wants I/N with 1 <= I <= N, e.g. 1/2; got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def assign(names: Sequence[str], seconds: Mapping[str, float], count: int) -> list[list[str]]:
    """Split `names` into `count` shares of about equal total run time; the same inputs give
    the same shares, in any order."""
    weight = _weights(names, seconds)
    loads = [0.0] * count
    shares: list[list[str]] = [[] for _ in range(count)]
    for name in longest_first(names, seconds):
        lightest = min(range(count), key=lambda i: (loads[i], i))
        shares[lightest].append(name)
        loads[lightest] += weight[name]
    return [sorted(share) for share in shares]


def longest_first(names: Sequence[str], seconds: Mapping[str, float]) -> list[str]:
    """`names` ordered by their last run time, longest first: the order in which a build's
    workers take scripts, so that no long script starts last while the other workers idle."""
    weight = _weights(names, seconds)
    return sorted(set(names), key=lambda n: (-weight[n], n))


def _weights(names: Sequence[str], seconds: Mapping[str, float]) -> dict[str, float]:
    known = [seconds[name] for name in names if name in seconds]
    default = statistics.median(known) if known else UNKNOWN_SECONDS
    return {name: max(MIN_SECONDS, float(seconds.get(name, default))) for name in names}


def load_run_times(cache_dir: Path) -> dict[str, float]:
    try:
        data = json.loads((cache_dir / TIMES_FILE).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, (int, float))}


def save_run_times(cache_dir: Path, results: Sequence[ExampleResult]) -> None:
    """Record the run times of a full build (a cached result keeps the time of its run)."""
    times = {r.display_path: round(r.duration, 1) for r in results if r.status != "failed"}
    write_atomically(cache_dir / TIMES_FILE, json.dumps(times, indent=1, sort_keys=True) + "\n")
