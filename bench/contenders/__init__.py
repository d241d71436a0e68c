"""The contenders: how to start each server, sign its user in, and phrase the workloads for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..dataset import Dataset
from ..http.procs import Server
from ..workloads import Line


@dataclass
class Contender:
    name: str
    database: str  # "sqlite" or "postgresql"
    start: Callable[[Path, Dataset], Server]
    sign_in: Callable[[Server, Dataset], dict[str, str]]  # headers of the signed-in user
    lines: Callable[[Dataset, str], list[Line]]
    notes: list[str] = field(default_factory=list)  # e.g. "row access not enforced by this build"
