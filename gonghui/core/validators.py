"""Checksums of Chinese identifiers.

统一社会信用代码 (USCC), GB 32100-2015: 18 characters from a 31-character alphabet
(digits and capitals without I, O, S, V, Z). The 18th is a check character computed
from the first 17 with weights 3^i mod 31.
"""
from __future__ import annotations

import random

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_LENGTH = 18


class InvalidIdentifier(ValueError):
    """Raised with a message in Chinese saying what is wrong with the value."""


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: object) -> str:
    """Validate and return the canonical (upper-case, trimmed) code, or raise InvalidIdentifier."""
    if isinstance(value, (int, float)):
        # Excel turns long digit strings into numbers that have lost digits: refuse, never "fix".
        raise InvalidIdentifier("统一社会信用代码被表格软件转成了数字，请将该列设为文本后重新填写")
    code = str(value or "").strip().upper()
    if not code:
        raise InvalidIdentifier("请填写统一社会信用代码")
    if len(code) != USCC_LENGTH:
        raise InvalidIdentifier(f"统一社会信用代码应为18位，当前为{len(code)}位")
    bad = sorted({char for char in code if char not in USCC_ALPHABET})
    if bad:
        raise InvalidIdentifier(f"统一社会信用代码含有不允许的字符：{''.join(bad)}")
    if not code[2:8].isdigit():
        raise InvalidIdentifier("统一社会信用代码第3至8位应为行政区划代码")
    if uscc_check_character(code[:17]) != code[17]:
        raise InvalidIdentifier("统一社会信用代码校验位不正确，请核对")
    return code


def uscc_generate(*, region_code: str, rng: random.Random, registry: str = "91") -> str:
    """A code that passes GB 32100 (for demo data and tests): registry + region + 9-char org code."""
    body = registry + region_code[:6].ljust(6, "0") + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_character(body)
