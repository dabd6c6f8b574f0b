"""Pinyin keys so cadres can find 天河区 by typing "thq" or "tianhe"."""
from pypinyin import Style, lazy_pinyin


def pinyin_full(text: str) -> str:
    return "".join(lazy_pinyin(text, errors="ignore")).lower()


def pinyin_initials(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")).lower()
