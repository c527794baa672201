"""Barcode and QR-like images of delivered codes, drawn locally so nothing leaves the machine.

They only stand in for the upstream's images (they encode nothing scannable): the same name
always draws the same picture.
"""

from __future__ import annotations

import hashlib
import io
import re

from PIL import Image, ImageDraw

NAME_RE = re.compile(
    r"^(?P<qr>qr-)?(?P<key>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.png$"
)
BARCODE_SIZE = (600, 200)
QR_MODULES = 25
QR_MODULE_PX = 8


def _bits(key: str, count: int) -> list[bool]:
    digest = b""
    counter = 0
    while len(digest) * 8 < count:
        digest += hashlib.sha256(f"{key}/{counter}".encode()).digest()
        counter += 1
    return [bool(digest[i // 8] >> (i % 8) & 1) for i in range(count)]


def _barcode(key: str) -> Image.Image:
    image = Image.new("L", BARCODE_SIZE, 255)
    canvas = ImageDraw.Draw(image)
    x = 20
    for wide, dark in zip(_bits(key, 200)[::2], _bits(key, 200)[1::2], strict=True):
        width = 6 if wide else 3
        if dark and x + width < BARCODE_SIZE[0] - 20:
            canvas.rectangle((x, 20, x + width - 1, BARCODE_SIZE[1] - 20), fill=0)
        x += width
    return image


def _matrix(key: str) -> Image.Image:
    side = QR_MODULES * QR_MODULE_PX
    image = Image.new("L", (side + 4 * QR_MODULE_PX,) * 2, 255)
    canvas = ImageDraw.Draw(image)
    for index, dark in enumerate(_bits(key, QR_MODULES * QR_MODULES)):
        if dark:
            row, col = divmod(index, QR_MODULES)
            x, y = (2 + col) * QR_MODULE_PX, (2 + row) * QR_MODULE_PX
            canvas.rectangle((x, y, x + QR_MODULE_PX - 1, y + QR_MODULE_PX - 1), fill=0)
    return image


def barcode_png(filename: str) -> bytes | None:
    """Return the PNG for `<uuid>.png` (a barcode) or `qr-<uuid>.png` (a QR-like square), else None."""
    match = NAME_RE.match(filename)
    if match is None:
        return None
    image = _matrix(match["key"]) if match["qr"] else _barcode(match["key"])
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
