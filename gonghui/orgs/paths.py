"""Materialized-path arithmetic: fixed-width base-36 steps, so string order is tree order."""
from __future__ import annotations

from gonghui.orgs.models import PATH_ALPHABET, PATH_STEP_LENGTH

MAX_STEP = len(PATH_ALPHABET) ** PATH_STEP_LENGTH - 1


def encode_step(number: int) -> str:
    if not 1 <= number <= MAX_STEP:
        raise ValueError("path step out of range")
    digits = []
    while number:
        number, remainder = divmod(number, len(PATH_ALPHABET))
        digits.append(PATH_ALPHABET[remainder])
    return "".join(reversed(digits)).rjust(PATH_STEP_LENGTH, "0")


def decode_step(step: str) -> int:
    return int(step, len(PATH_ALPHABET))


def child_paths(*, parent_path: str, last_child_path: str | None, count: int) -> list[str]:
    """`count` fresh paths for new children after the parent's current last child."""
    start = decode_step(last_child_path[-PATH_STEP_LENGTH:]) + 1 if last_child_path else 1
    return [parent_path + encode_step(number) for number in range(start, start + count)]


def depth_of(path: str) -> int:
    return len(path) // PATH_STEP_LENGTH


def common_ancestor_path(paths) -> str:
    """The deepest path that every one of `paths` lies under (whole steps only); "" when they share no root."""
    paths = list(paths)
    if not paths:
        return ""
    shortest = min(paths, key=len)
    end = 0
    while end + PATH_STEP_LENGTH <= len(shortest) and all(p.startswith(shortest[: end + PATH_STEP_LENGTH]) for p in paths):
        end += PATH_STEP_LENGTH
    return shortest[:end]
