"""Apps register the kinds of job they run; the jobs app runs them without importing those apps."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class JobOutcome:
    ok: bool
    summary: str
    result: bytes | Path = b""  # a Path: a temporary file the handler wrote; the job stores it and deletes it
    result_name: str = ""
    link: str = ""  # where what the job made lives (a 潜在会员 list's page), shown beside the summary
    link_label: str = ""
    # what the result file reports row by row (core.spreadsheets.RowError: row, column, message); the job page shows the first
    problems: Sequence = ()


@dataclass(frozen=True)
class JobKind:
    code: str
    label: str
    handler: Callable[..., JobOutcome]  # handler(*, job, data: bytes, progress: Callable[[int, int], None])


_KINDS: dict[str, JobKind] = {}


def register(code: str, label: str, handler: Callable[..., JobOutcome]) -> None:
    _KINDS[code] = JobKind(code, label, handler)


def kind(code: str) -> JobKind:
    return _KINDS[code]


def label(code: str) -> str:
    return _KINDS[code].label if code in _KINDS else code
