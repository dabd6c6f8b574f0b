"""Checksums of Chinese identifiers: 统一社会信用代码, 公民身份号码, mobile numbers.

统一社会信用代码 (USCC), GB 32100-2015: 18 characters from a 31-character alphabet
(digits and capitals without I, O, S, V, Z). The 18th is a check character computed
from the first 17 with weights 3^i mod 31.
"""
from __future__ import annotations

import datetime
import operator
import random
import re
import unicodedata
from dataclasses import dataclass

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_LENGTH = 18


class InvalidIdentifier(ValueError):
    """Raised with a message in Chinese saying what is wrong with the value."""


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
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


# 公民身份号码, GB 11643-1999: 6-digit region code, 8-digit birth date, 3-digit sequence
# (odd = male), check character by ISO 7064 MOD 11-2.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_ASCII_OFFSET = 48 * sum(ID_WEIGHTS)
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
# Province-level prefixes of GB/T 2260 (the first two digits of every region code).
# The first two digits of a 身份证号 (GB/T 2260 province-level codes)
PROVINCE_NAMES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省", "22": "吉林省",
    "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省",
    "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省",
    "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}
PROVINCE_PREFIXES = frozenset(PROVINCE_NAMES)


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: datetime.date
    gender: str  # "male" / "female"

    @property
    def region_code(self) -> str:
        return self.value[:6]

    @property
    def birth_month(self) -> datetime.date:
        """The first day of the birth month: all of the birth date that is kept in clear (decision 0018)."""
        return self.birth_date.replace(day=1)


def id_check_character(first17: str) -> str:
    # on the ASCII codes: each digit carries 48 extra, a constant the offset takes back out (bulk imports check millions)
    return ID_CHECK[(sum(map(operator.mul, first17.encode(), ID_WEIGHTS)) - ID_ASCII_OFFSET) % 11]


def parse_id_number(value: object, *, today: datetime.date | None = None) -> IdNumber:
    """Validate an 18-digit 身份证号 and derive birth date and gender, or raise InvalidIdentifier."""
    if isinstance(value, (int, float)):
        raise InvalidIdentifier("身份证号被表格软件转成了数字（末几位已丢失），请将该列设为文本后重新填写")
    number = str(value or "").strip().upper()
    if not number:
        raise InvalidIdentifier("请填写身份证号")
    if len(number) != 18:
        raise InvalidIdentifier(f"身份证号应为18位，当前为{len(number)}位")
    # isascii(): str.isdigit() also takes full-width and other scripts' digits, which would index as another person
    if not number.isascii() or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdentifier("身份证号前17位应为数字，最后一位为数字或X")
    if number[:2] not in PROVINCE_PREFIXES:
        raise InvalidIdentifier("身份证号前两位不是有效的省级行政区划代码")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentifier("身份证号中的出生日期无效") from None
    if not EARLIEST_BIRTH <= birth <= (today or datetime.date.today()):
        raise InvalidIdentifier("身份证号中的出生日期不在合理范围内")
    if id_check_character(number[:17]) != number[17]:
        raise InvalidIdentifier("身份证号校验位不正确，请核对")
    return IdNumber(value=number, birth_date=birth, gender="male" if int(number[16]) % 2 else "female")


def id_number_generate(*, region_code: str, birth_date: datetime.date, sequence: int) -> str:
    """A number that passes GB 11643 (demo data and tests only)."""
    body = f"{region_code[:6]}{birth_date:%Y%m%d}{sequence % 1000:03d}"
    return body + id_check_character(body)


MOBILE_LENGTH = 11


def normalize_mobile(value: object) -> str:
    """Mainland mobile numbers: 11 digits starting 1[3-9]; spaces, dashes and +86 are dropped."""
    text = str(value or "").strip().replace(" ", "").replace("-", "")
    if text.startswith("+86"):
        text = text[3:]
    if not text:
        raise InvalidIdentifier("请填写手机号")
    if len(text) != MOBILE_LENGTH or not text.isascii() or not text.isdigit() or text[0] != "1" or text[1] not in "3456789":
        raise InvalidIdentifier("手机号格式不正确，应为11位数字，以13-19开头")
    return text


# What people type, or leave out, between the parts of a name (阿卜杜拉·买买提, 阿卜杜拉 买买提, 阿卜杜拉买买提): whitespace of
# any width (NFKC turns the full-width space into a plain one) and the middle-dot variants IMEs produce (NFKC folds ･ into ・).
NAME_SEPARATORS = re.compile("[\\s\u00b7\u2022\u2027\u2219\u22c5\u30fb\u2e31\u16eb.\u0387]+")


def normalize_person_name(value: object) -> str:
    """A name as its blind index sees it: NFKC (full-width letters and digits become ASCII), case folded, without
    whitespace or middle dots, so every usual spelling of the same name finds the same person (decision 0018)."""
    text = str(value or "")
    if not unicodedata.is_normalized("NFKC", text):  # a quick check; most names are (bulk imports: a million of them)
        text = unicodedata.normalize("NFKC", text)
    return NAME_SEPARATORS.sub("", text.casefold())
