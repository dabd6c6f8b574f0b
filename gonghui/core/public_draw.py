"""A draw anyone can check (摇号): its outcome follows from a public lottery result that nobody here controls, and from
the list of receipt codes published before that result was known. No operator secret goes in.

    list hash = SHA-256 of the sorted receipt codes, each length-prefixed
    seed      = SHA-256(length-prefixed draw id ‖ list hash ‖ draw text)
    rank      = SHA-256(seed ‖ code) per code, ascending
    the first seats go to each quota in turn (its tagged codes in rank order), the rest to everyone left in rank order;
    whoever is left after that is the waitlist, in rank order.

The draw text is the canonical text of a public result drawn after registration closed, e.g. 福彩双色球 (`ssq_text`): it has
17,721,088 outcomes; 3D's 1,000 are too few to leave nothing to choose.

This module imports nothing but the standard library, so the published JSON can be checked without this project:
`python public_draw.py result.json` prints each check and exits 1 naming the first that fails.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import sys
from dataclasses import dataclass, field

ALGORITHM = "gonghui-draw-v1"
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out over the phone
GENERAL = "general"


class DrawError(ValueError):
    """Bad input to a draw, in Chinese."""


def receipt_code(length: int = 8) -> str:
    """A registrant's random receipt code (登记回执码), e.g. 'K7QX3M9P'."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _framed(*parts: str | bytes) -> bytes:
    """Each part prefixed with its length, so no two different sequences of parts give the same bytes."""
    out = bytearray()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        out += len(data).to_bytes(4, "big") + data
    return bytes(out)


def list_hash(codes: list[str]) -> str:
    return hashlib.sha256(_framed(*sorted(codes))).hexdigest()


def seed_of(draw_id: str, hashed_list: str, draw_text: str) -> str:
    return hashlib.sha256(_framed(str(draw_id), hashed_list, draw_text)).hexdigest()


def rank_of(seed: str, code: str) -> str:
    return hashlib.sha256(_framed(seed, code)).hexdigest()


def ssq_text(*, issue: str, reds: list[int], blue: int) -> str:
    """福彩双色球 第{issue}期 in canonical form: 'SSQ 2026140 03 07 12 19 25 31 + 09' (reds ascending)."""
    issue = str(issue).strip()
    if not (issue.isdigit() and len(issue) == 7):
        raise DrawError("双色球期号应为7位数字，如 2026140")
    if len(reds) != 6 or len(set(reds)) != 6 or not all(1 <= n <= 33 for n in reds):
        raise DrawError("双色球红球应为 6 个不重复的 1–33 之间的号码")
    if not 1 <= blue <= 16:
        raise DrawError("双色球蓝球应为 1–16 之间的号码")
    return "SSQ " + issue + " " + " ".join(f"{n:02d}" for n in sorted(reds)) + f" + {blue:02d}"


@dataclass(frozen=True)
class Entry:
    code: str
    tags: tuple[str, ...] = ()  # the quotas this registrant may take a seat in (an org's share, 新就业形态)


@dataclass
class Outcome:
    seed: str
    winners: list[tuple[str, str]] = field(default_factory=list)  # (code, seat: a quota tag or GENERAL), in order won
    waitlist: list[str] = field(default_factory=list)


def run(*, draw_id: str, entries: list[Entry], draw_text: str, seats: int, quotas: dict[str, int]) -> Outcome:
    codes = [entry.code for entry in entries]
    if len(set(codes)) != len(codes):
        raise DrawError("回执码有重复")
    if seats < 0 or any(size < 0 for size in quotas.values()) or sum(quotas.values()) > seats:
        raise DrawError("名额设置不正确：各配额之和不能超过总名额")
    seed = seed_of(draw_id, list_hash(codes), draw_text)
    ranked = sorted(entries, key=lambda entry: (rank_of(seed, entry.code), entry.code))
    outcome, taken = Outcome(seed=seed), set()
    for tag in sorted(quotas):
        chosen = [entry.code for entry in ranked if tag in entry.tags and entry.code not in taken][:quotas[tag]]
        outcome.winners += [(code, tag) for code in chosen]
        taken.update(chosen)
    left = [entry.code for entry in ranked if entry.code not in taken]
    general = max(seats - len(outcome.winners), 0)
    outcome.winners += [(code, GENERAL) for code in left[:general]]
    outcome.waitlist = left[general:]
    return outcome


def publication(*, draw_id: str, entries: list[Entry], draw_text: str, seats: int, quotas: dict[str, int]) -> dict:
    """What is published after the draw: everything a checker needs, and no name."""
    entries = sorted(entries, key=lambda entry: entry.code)
    outcome = run(draw_id=draw_id, entries=entries, draw_text=draw_text, seats=seats, quotas=quotas)
    return {
        "algorithm": ALGORITHM, "draw_id": str(draw_id), "seats": seats, "quotas": dict(sorted(quotas.items())),
        "entries": [{"code": entry.code, "tags": sorted(entry.tags)} for entry in entries], "count": len(entries),
        "list_hash": list_hash([entry.code for entry in entries]), "draw_text": draw_text, "seed": outcome.seed,
        "winners": [{"code": code, "seat": seat} for code, seat in outcome.winners], "waitlist": outcome.waitlist,
    }


CHECKS = ("algorithm", "count", "list_hash", "seed", "ranking")
CHECK_LABELS = {"algorithm": "算法版本", "count": "登记人数", "list_hash": "名单哈希", "seed": "随机种子", "ranking": "排序与中签结果"}


def verify(published: dict) -> list[tuple[str, bool]]:
    """Each check in order, with whether it holds; after the first failure the later ones are not meaningful and fail too."""
    results, ok = [], True
    try:
        entries = [Entry(code=item["code"], tags=tuple(item.get("tags", ()))) for item in published["entries"]]
        codes = [entry.code for entry in entries]
        expected = {
            "algorithm": lambda: published["algorithm"] == ALGORITHM,
            "count": lambda: published["count"] == len(codes),
            "list_hash": lambda: published["list_hash"] == list_hash(codes),
            "seed": lambda: published["seed"] == seed_of(published["draw_id"], published["list_hash"], published["draw_text"]),
            "ranking": lambda: _same_result(published, entries),
        }
    except (KeyError, TypeError):
        return [(name, False) for name in CHECKS]
    for name in CHECKS:
        ok = ok and _holds(expected[name])
        results.append((name, ok))
    return results


def _holds(check) -> bool:
    try:
        return bool(check())
    except (KeyError, TypeError, ValueError):  # a field the check needs is missing or malformed, as before the draw
        return False


def _same_result(published: dict, entries: list[Entry]) -> bool:
    outcome = run(draw_id=published["draw_id"], entries=entries, draw_text=published["draw_text"], seats=published["seats"],
                  quotas=published["quotas"])
    winners = [(item["code"], item["seat"]) for item in published["winners"]]
    return winners == outcome.winners and published["waitlist"] == outcome.waitlist


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("用法：python public_draw.py 公示结果.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        published = json.load(handle)
    results = verify(published)
    for name, holds in results:
        print(f"{'通过' if holds else '不通过'}  {CHECK_LABELS[name]}（{name}）")
    failed = next((name for name, holds in results if not holds), None)
    if failed and "winners" not in published:
        print("提示：这份公示数据还没有抽签结果（尚未开奖），开奖后公示的数据才能完整核验。")
    print("核验通过：结果可由公开信息复现" if failed is None else f"核验失败：{CHECK_LABELS[failed]}（{failed}）不符")
    return 0 if failed is None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
