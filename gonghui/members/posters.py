"""入会码 (一县一码) material: the QR code a cadre downloads, and an A4 poster to print and put up.

Pure functions returning bytes, so a view or a management command decides file names and content types."""
from __future__ import annotations

import io
import itertools
import math
import os
import re

import segno
from django.conf import settings
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

RED, INK, GREY = HexColor("#c8161d"), HexColor("#222222"), HexColor("#666666")
QUIET_ZONE = 4  # modules: the QR spec's minimum; scanners lose the code against a busy background without it
FALLBACK_FONT = "STSong-Light"
# TrueType outlines only: reportlab cannot embed CFF-based OpenType (e.g. Debian's Noto CJK .ttc in opentype/).
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian fonts-wqy-zenhei; .ci/run installs it
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
INSTRUCTIONS = ("1. 微信或浏览器扫码", "2. 手机号登录", "3. 填写实名信息，提交即可")
FOOTER = "广东省总工会 · 职工服务热线 12351"

_font_name: str | None = None


def _qr(url: str) -> segno.QRCode:
    # micro=False: segno picks Micro QR for short data, which WeChat's scanner does not read.
    # Level "m" is the floor; segno raises it for free when that does not grow the symbol.
    return segno.make(url, error="m", micro=False)


def _qr_bytes(url: str, kind: str, scale: int) -> bytes:
    buf = io.BytesIO()
    _qr(url).save(buf, kind=kind, scale=scale, border=QUIET_ZONE)
    return buf.getvalue()


def join_qr_png(url: str, *, scale: int = 10) -> bytes:
    return _qr_bytes(url, "png", scale)


def join_qr_svg(url: str, *, scale: int = 10) -> bytes:
    return _qr_bytes(url, "svg", scale)


def poster_font_name() -> str:
    """A TrueType CJK font's file stem (embedded, prints the same everywhere), else STSong-Light, which
    each viewer must substitute and some print shops' RIPs render as blanks."""
    global _font_name
    if _font_name is None:
        configured = getattr(settings, "POSTER_FONT_PATH", "")
        for path in [configured] if configured else [p for p in FONT_CANDIDATES if os.path.exists(p)]:
            try:
                pdfmetrics.registerFont(TTFont(name := os.path.splitext(os.path.basename(path))[0], path, subfontIndex=0))
            except TTFError:
                if configured:  # a configured font that fails should be loud, not quietly left unembedded
                    raise
                continue
            _font_name = name
            break
        else:
            pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
            _font_name = FALLBACK_FONT
    return _font_name


def _dark_runs(matrix) -> list[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules: far fewer PDF rects than modules."""
    runs = []
    for r, row in enumerate(matrix):
        col = 0
        for dark, group in itertools.groupby(row):
            n = len(list(group))
            if dark:
                runs.append((r, col, n))
            col += n
    return runs


def _wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str] | None:
    """At most max_lines lines of near-equal length (Chinese breaks anywhere; balanced beats greedy), or None."""
    for n in range(1, max_lines + 1):
        k = max(1, math.ceil(len(text) / n))
        lines = [text[i:i + k] for i in range(0, len(text), k)]
        if all(pdfmetrics.stringWidth(line, font, size) <= width for line in lines):
            return lines
    return None


def _name_lines(name: str, font: str, width: float) -> tuple[list[str], int]:
    # The biggest type in up to two lines, else three small lines; anything longer (Org.name allows 100
    # characters) is cut so the QR is never pushed off the page.
    for size in range(44, 19, -2):
        if lines := _wrap(name, font, size, width, 2):
            return lines, size
    while not (lines := _wrap(name, font, 20, width, 3)):
        name = name[:-2] + "…"
    return lines, 20


def _text(c: Canvas, text: str, x: float, y: float, size: float, color, *, bold: bool = False, centre: bool = True) -> None:
    font = poster_font_name()
    if font == FALLBACK_FONT:  # STSong's UniGB-UCS2-H CMap lacks U+00B7 (viewers draw a box); U+30FB is full width
        text = re.sub(" ?\u00b7 ?", "\u30fb", text)
    # The render mode lives in the graphics state while reportlab's text object assumes it starts at 0:
    # without save/restore one bold line turns every later line bold in the last stroke colour.
    c.saveState()
    t = c.beginText()
    t.setFont(font, size)
    if bold:  # the CJK fonts ship one weight; fill + stroke thickens the strokes instead
        t.setTextRenderMode(2)
        c.setLineWidth(size / 28)
        c.setStrokeColor(color)
    t.setFillColor(color)
    t.setTextOrigin(x - pdfmetrics.stringWidth(text, font, size) / 2 if centre else x, y)
    t.textOut(text)
    c.drawText(t)
    c.restoreState()


def join_poster_pdf(*, union_name: str, url: str, subtitle: str = "扫码加入工会") -> bytes:
    font, (page_w, page_h), margin, buf = poster_font_name(), A4, 50, io.BytesIO()
    c = Canvas(buf, pagesize=A4, initialFontName=font, lang="zh-CN")  # initialFontName: no unused Helvetica
    c.setTitle(f"{union_name} 入会码")
    c.setAuthor("广东省总工会")

    lines, size = _name_lines(union_name, font, page_w - 2 * margin)
    band_h = 70 + size * 1.3 * len(lines)
    c.setFillColor(RED)
    c.rect(0, page_h - band_h, page_w, band_h, stroke=0, fill=1)
    for i, line in enumerate(lines):
        _text(c, line, page_w / 2, page_h - 35 - size - i * size * 1.3, size, white, bold=True)

    # Framed QR, subtitle and steps form one 506 pt block centred between band and footer (it fits under
    # three name lines). 12 cm keeps modules >= 2 mm even for a long URL: scannable from a metre away.
    side = 340
    top = page_h - band_h - (page_h - band_h - 62 - side - 166) / 2 - 10
    matrix = _qr(url).matrix
    module, x0 = side / (len(matrix) + 2 * QUIET_ZONE), (page_w - side) / 2
    c.setStrokeColor(RED)
    c.setLineWidth(2)
    c.roundRect(x0 - 10, top - side - 10, side + 20, side + 20, 12, stroke=1, fill=0)
    path = c.beginPath()  # one filled path, so viewers show no hairline seams between abutting runs
    for r, col, n in _dark_runs(matrix):
        path.rect(x0 + (col + QUIET_ZONE) * module, top - (r + QUIET_ZONE + 1) * module, n * module, module)
    c.setFillColor(INK)
    c.drawPath(path, stroke=0, fill=1)

    y = top - side - 60
    fit = (page_w - 2 * margin) / max(pdfmetrics.stringWidth(subtitle, font, 1), 1)  # a long custom subtitle shrinks
    _text(c, subtitle, page_w / 2, y, min(30, fit), RED, bold=True)
    steps_w = max(pdfmetrics.stringWidth(s, font, 17) for s in INSTRUCTIONS)
    for i, step in enumerate(INSTRUCTIONS, 1):
        _text(c, step, (page_w - steps_w) / 2, y - 32 * i, 17, INK, centre=False)

    c.setStrokeColor(RED)
    c.setLineWidth(1)
    c.line(margin, 62, page_w - margin, 62)
    _text(c, FOOTER, page_w / 2, 38, 13, GREY)
    c.showPage()
    c.save()
    return buf.getvalue()
