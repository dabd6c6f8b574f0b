"""The draw anyone can check: the published JSON alone reproduces the result, and any alteration is named."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gonghui.core import public_draw
from gonghui.core.public_draw import DrawError, Entry, publication, ssq_text, verify

DRAW = ssq_text(issue="2026140", reds=[31, 3, 12, 7, 25, 19], blue=9)


def entries(count=40):
    return [Entry(code=f"C{n:04d}", tags=("org:440106",) if n % 4 == 0 else ("new_form",) if n % 7 == 0 else ()) for n in range(count)]


def published(**changes):
    return publication(**{"draw_id": "bookings.offering:17", "entries": entries(), "draw_text": DRAW, "seats": 10,
                          "quotas": {"org:440106": 3, "new_form": 2}, **changes})


def failed(result) -> str | None:
    return next((name for name, holds in verify(result) if not holds), None)


def test_the_canonical_text_of_a_double_colour_ball_result():
    assert DRAW == "SSQ 2026140 03 07 12 19 25 31 + 09"
    for bad in ({"issue": "140", "reds": [1, 2, 3, 4, 5, 6], "blue": 1}, {"issue": "2026140", "reds": [1, 1, 3, 4, 5, 6], "blue": 1},
                {"issue": "2026140", "reds": [1, 2, 3, 4, 5, 34], "blue": 1}, {"issue": "2026140", "reds": [1, 2, 3, 4, 5, 6], "blue": 17}):
        with pytest.raises(DrawError):
            ssq_text(**bad)


def test_the_published_json_alone_reproduces_the_result_and_quotas_fill_first():
    result = published()
    assert failed(result) is None and [holds for _, holds in verify(result)] == [True] * 5
    seats = [w["seat"] for w in result["winners"]]
    assert seats[:5] == ["new_form"] * 2 + ["org:440106"] * 3 and len(seats) == 10
    tagged = {e["code"]: e["tags"] for e in result["entries"]}
    assert all(w["seat"] == "general" or w["seat"] in tagged[w["code"]] for w in result["winners"])
    assert len(result["waitlist"]) == 30 and not {w["code"] for w in result["winners"]} & set(result["waitlist"])
    assert published() == result  # the same inputs give the same draw


def test_another_public_result_gives_another_draw():
    assert published()["winners"] != published(draw_text=ssq_text(issue="2026141", reds=[1, 2, 3, 4, 5, 6], blue=1))["winners"]


def test_a_quota_without_enough_registrants_leaves_its_seats_to_everyone():
    result = published(quotas={"new_form": 9})
    eligible = sum("new_form" in e["tags"] for e in result["entries"])
    assert eligible < 9 and sum(w["seat"] == "new_form" for w in result["winners"]) == eligible and len(result["winners"]) == 10


@pytest.mark.parametrize("alter, check", [
    (lambda r: r["entries"].__setitem__(0, {"code": "ZZZZ", "tags": []}), "list_hash"),
    (lambda r: r["entries"].pop(), "count"),
    (lambda r: r.__setitem__("draw_text", r["draw_text"].replace("+ 09", "+ 10")), "seed"),
    (lambda r: r["winners"].__setitem__(9, {"code": r["waitlist"][0], "seat": "general"}), "ranking"),
    (lambda r: r.__setitem__("waitlist", list(reversed(r["waitlist"]))), "ranking"),
    (lambda r: r.__setitem__("seats", 11), "ranking"),
])
def test_an_altered_publication_names_the_check_that_fails(alter, check):
    result = published()
    alter(result)
    assert failed(result) == check


def test_bad_inputs_are_refused():
    with pytest.raises(DrawError, match="重复"):
        publication(draw_id="x", entries=[Entry("A"), Entry("A")], draw_text=DRAW, seats=1, quotas={})
    with pytest.raises(DrawError, match="配额"):
        publication(draw_id="x", entries=entries(), draw_text=DRAW, seats=2, quotas={"new_form": 3})
    assert failed({"entries": "nonsense"}) == "algorithm"


def test_a_list_published_before_the_draw_checks_as_far_as_it_goes(tmp_path, capsys):
    """At close only the list and its hash are out: they check, and the missing seed fails without a crash."""
    kept = ("algorithm", "draw_id", "seats", "quotas", "entries", "count", "list_hash")
    before = {key: value for key, value in published().items() if key in kept}
    assert failed(before) == "seed"
    path = tmp_path / "result.json"
    path.write_text(json.dumps(before, ensure_ascii=False), encoding="utf-8")
    assert public_draw.main(["public_draw.py", str(path)]) == 1
    assert "尚未开奖" in capsys.readouterr().out


def test_the_checker_runs_alone_without_this_project(tmp_path):
    """Copied on its own to an empty folder and run by an isolated interpreter (no site-packages, no project)."""
    shutil.copy(Path(public_draw.__file__), tmp_path / "public_draw.py")
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(published(), ensure_ascii=False), encoding="utf-8")
    tampered = published()
    tampered["draw_text"] = "SSQ 2026140 01 02 03 04 05 06 + 01"
    bad.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")
    run = [sys.executable, "-I", "-S", "public_draw.py"]
    ok = subprocess.run([*run, good.name], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "核验通过" in ok.stdout
    no = subprocess.run([*run, bad.name], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert no.returncode == 1 and "随机种子（seed）不符" in no.stdout
