"""What every reader module provides, and the result it returns.

A reader is a module with ``NAME``, ``accepts(block) -> bool`` and
``read(block) -> Reading``. ``accepts`` is cheap and conservative: it looks
at the block's kind, info string and a few lines. ``read`` reports what it
cannot use as diagnostics with the line, and never raises on any input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..document import Block, Diagnostic
from ..fragments import Fragment


@dataclass
class Reading:
    fragments: list[Fragment] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def extend(self, other: Reading) -> None:
        self.fragments.extend(other.fragments)
        self.diagnostics.extend(other.diagnostics)


class Reader(Protocol):
    NAME: str

    def accepts(self, block: Block) -> bool: ...

    def read(self, block: Block) -> Reading: ...
