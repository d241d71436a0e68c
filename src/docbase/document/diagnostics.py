"""Diagnostics: what docbase has to say about a place in the document.

They live in the lowest package because every stage (splitting, reading,
merging, validating) reports them, and each must name the line it is about.
They are collected, never raised, so one run reports everything at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning", "info"]

LEVELS: tuple[Level, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Diagnostic:
    level: Level
    line: int
    message: str

    def format(self, path: str) -> str:
        """Render as ``path:line: level: message``, the form editors jump to."""
        return f"{path}:{self.line}: {self.level}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"level": self.level, "line": self.line, "message": self.message}


def error(line: int, message: str) -> Diagnostic:
    return Diagnostic("error", line, message)


def warning(line: int, message: str) -> Diagnostic:
    return Diagnostic("warning", line, message)


def info(line: int, message: str) -> Diagnostic:
    return Diagnostic("info", line, message)
