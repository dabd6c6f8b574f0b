"""How PII is shown when the viewer may not see it in full (DESIGN.md rule 2)."""
from __future__ import annotations

import re


def mask_id_number(value: str | None) -> str:
    """440106199001011234 → 4401**********1234"""
    if not value:
        return ""
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678"""
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "*" * len(value)


def mask_name(value: str | None) -> str:
    """张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明"""
    if not value:
        return ""
    if len(value) <= 2:
        return value[0] + "*" * (len(value) - 1)
    return value[0] + "*" * (len(value) - 2) + value[-1]


# An 18-character ID (possibly ending X) or an 11-digit mobile, not inside a longer run of digits.
_ID_PATTERN = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)")
_PHONE_PATTERN = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def scrub_pii(text: str) -> str:
    """Mask anything that looks like an ID number or a mobile number in free text (logs, error reports)."""
    text = _ID_PATTERN.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE_PATTERN.sub(lambda m: mask_phone(m.group(0)), text)
