"""入会码 material: the downloadable QR (PNG, SVG) and the A4 poster. No database needed."""
import io
import re
import xml.etree.ElementTree as ET

import pytest
import segno
from PIL import Image  # installed with reportlab, which requires it

from gonghui.members import posters

URL = "https://gonghui.example.cn/j/Ab3dE5fG7hJ9kL"
QIANHAI = "深圳前海深港现代服务业合作区工会"
TEXT_WIDTH = 595.2756 - 2 * 50  # A4 less the poster's margins


@pytest.fixture(scope="module")
def poster():
    return posters.join_poster_pdf(union_name=QIANHAI, url=URL)


@pytest.fixture
def fallback_font(monkeypatch, settings):
    """Pretend no TrueType CJK font is installed; monkeypatch puts the cached choice back afterwards."""
    settings.POSTER_FONT_PATH = ""
    monkeypatch.setattr(posters, "FONT_CANDIDATES", ())
    monkeypatch.setattr(posters, "_font_name", None)


class TestQrCode:
    def test_png_holds_exactly_segnos_matrix_inside_a_quiet_zone(self):
        image = Image.open(io.BytesIO(png := posters.join_qr_png(URL, scale=5))).convert("L")
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        expected = segno.make(URL, error="m", micro=False)
        side = len(expected.matrix) + 2 * posters.QUIET_ZONE
        assert image.size == (side * 5, side * 5)
        # sample each module's centre: the border is light, every module matches the symbol
        drawn = [[image.getpixel((c * 5 + 2, r * 5 + 2)) < 128 for c in range(side)] for r in range(side)]
        assert drawn == [[bool(v) for v in row] for row in expected.matrix_iter(border=posters.QUIET_ZONE)]

    def test_svg_is_well_formed_and_scaled(self):
        root = ET.fromstring(posters.join_qr_svg(URL, scale=4))
        assert root.tag.rsplit("}", 1)[-1] == "svg"
        side = len(segno.make(URL, error="m", micro=False).matrix) + 2 * posters.QUIET_ZONE
        assert float(root.get("width")) == side * 4

    def test_a_short_url_still_makes_a_full_qr_code_not_a_micro_qr_that_wechat_cannot_read(self):
        assert not posters._qr("https://a.cn/j/1").is_micro

    def test_the_posters_runs_of_dark_modules_redraw_the_matrix(self):
        matrix = segno.make(URL, error="m", micro=False).matrix
        redrawn = [[0] * len(row) for row in matrix]
        for r, col, n in posters._dark_runs(matrix):
            redrawn[r][col:col + n] = [1] * n
        assert redrawn == [list(row) for row in matrix]


class TestPoster:
    def test_is_a_one_page_a4_pdf(self, poster):
        assert poster.startswith(b"%PDF-")
        boxes = re.findall(rb"/MediaBox \[ *([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+) *\]", poster)
        assert [tuple(round(float(v)) for v in box) for box in boxes] == [(0, 0, 595, 842)]

    def test_embeds_the_truetype_cjk_font_when_one_is_installed(self, poster):
        if posters.poster_font_name() == posters.FALLBACK_FONT:
            pytest.skip("no TrueType CJK font here (apt-get install fonts-wqy-zenhei); the poster uses STSong-Light")
        assert b"/FontFile2" in poster  # the union's name is in glyphs the printer has, not ones it may lack

    def test_falls_back_to_the_builtin_cid_font(self, fallback_font):
        pdf = posters.join_poster_pdf(union_name=QIANHAI, url=URL)
        assert posters.poster_font_name() == "STSong-Light"
        assert b"/STSong-Light" in pdf and b"/FontFile2" not in pdf

    def test_a_configured_font_that_cannot_be_embedded_is_an_error_not_a_silent_fallback(self, fallback_font, settings, tmp_path):
        (bad := tmp_path / "NotoSansCJK.otf").write_bytes(b"OTTO" + bytes(200))
        settings.POSTER_FONT_PATH = str(bad)
        with pytest.raises(posters.TTFError):
            posters.poster_font_name()

    def test_a_long_name_wraps_into_two_balanced_lines(self):
        lines, size = posters._name_lines(QIANHAI, posters.poster_font_name(), TEXT_WIDTH)
        assert lines == ["深圳前海深港现代", "服务业合作区工会"] and size == 44

    def test_an_absurdly_long_name_is_cut_to_three_lines_and_still_renders(self):
        name = "广州市天河区外卖配送行业工会联合会暨新就业形态劳动者工会联合会" * 4
        lines, size = posters._name_lines(name, font := posters.poster_font_name(), TEXT_WIDTH)
        assert len(lines) == 3 and lines[-1].endswith("…") and size == 20
        assert all(posters.pdfmetrics.stringWidth(line, font, size) <= TEXT_WIDTH for line in lines)
        assert posters.join_poster_pdf(union_name=name, url=URL + "?" + "x" * 150, subtitle="扫码加入" * 10).startswith(b"%PDF")
