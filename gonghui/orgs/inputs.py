"""Checks on what a cadre typed into the orgs editors (assessment schemes, cultivation plans). Each raises
ApplicationError with the Chinese message tied to its form field, under the caller's error-code prefix."""
from __future__ import annotations

from gonghui.core.exceptions import ApplicationError


def fail(message: str, code: str, field: str | None = None, *, prefix: str):
    raise ApplicationError(message, code=f"{prefix}.{code}", fields={field: [message]} if field else None)


def is_id(value) -> bool:
    return str(value).isdecimal()


def required_text(value: str, *, label: str, limit: int, prefix: str, field: str = "name") -> str:
    text = (value or "").strip()
    if not text:
        fail(f"请填写{label}", "name_missing", field, prefix=prefix)
    if len(text) > limit:
        fail(f"{label}不能超过 {limit} 个字", "name_too_long", field, prefix=prefix)
    return text


def year(value: int | None, *, prefix: str) -> int:
    if value is None or not 2000 <= value <= 2100:
        fail("年度应为 2000 到 2100 之间的年份，如 2026", "year", "year", prefix=prefix)
    return value
