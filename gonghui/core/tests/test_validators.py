import random

import pytest

from gonghui.core.validators import InvalidIdentifier, normalize_uscc, uscc_check_character, uscc_generate

# Published codes of real organisations.
REAL_USCCS = [
    "91350100M000100Y43",  # the worked example of GB 32100-2015
    "91440300708461136T",  # 腾讯科技（深圳）有限公司
    "914403001922038216",  # 华为技术有限公司
]


@pytest.mark.parametrize("code", REAL_USCCS)
def test_real_codes_are_accepted(code):
    assert normalize_uscc(code) == code
    assert normalize_uscc(f"  {code.lower()} ") == code


@pytest.mark.parametrize("code", REAL_USCCS)
def test_any_single_altered_character_is_rejected(code):
    rng = random.Random(code)
    for position in range(18):
        replacement = rng.choice([c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[position]])
        altered = code[:position] + replacement + code[position + 1:]
        if altered[2:8].isdigit():
            with pytest.raises(InvalidIdentifier):
                normalize_uscc(altered)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "请填写"),
        ("9144030070846113", "应为18位"),
        ("91440300708461136I", "不允许的字符"),
        ("91440300708461136O", "不允许的字符"),
        ("914403007084611360", "校验位不正确"),
        (9.14403001922038e17, "转成了数字"),
    ],
)
def test_bad_codes_get_a_chinese_reason(value, message):
    with pytest.raises(InvalidIdentifier, match=message):
        normalize_uscc(value)


def test_generated_codes_pass_the_check():
    rng = random.Random(1)
    for _ in range(500):
        code = uscc_generate(region_code="440106", rng=rng)
        assert normalize_uscc(code) == code
        assert code[2:8] == "440106"
        assert uscc_check_character(code[:17]) == code[17]
