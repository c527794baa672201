"""Brand logos drawn with Pillow: brand colour and initials, in the CDN's sizes and formats."""

from __future__ import annotations

import hashlib
import io
import re
import threading

from PIL import Image, ImageDraw, ImageFont

from .catalog_data import BRAND_COLOURS

FULL_SIZE = (1000, 636)
SIZES: dict[str, tuple[int, int]] = {"": FULL_SIZE, "_500x318": (500, 318), "_300x190": (300, 190)}
FORMATS: dict[str, tuple[str, str]] = {".webp": ("WEBP", "image/webp"), ".jpg": ("JPEG", "image/jpeg")}
NAME_RE = re.compile(r"^(?P<slug>[a-z0-9-]+?)(?P<size>_500x318|_300x190)?(?P<ext>\.webp|\.jpg)$")

_cache: dict[str, tuple[bytes, str]] = {}
_lock = threading.Lock()


def colour_of(slug: str) -> str:
    """Return the brand colour, or a stable one derived from the slug."""
    if slug in BRAND_COLOURS:
        return BRAND_COLOURS[slug]
    digest = hashlib.sha256(slug.encode()).digest()
    # Keep derived colours dark enough for white initials to read.
    return "#" + "".join(f"{40 + b % 140:02X}" for b in digest[:3])


def initials(name: str) -> str:
    """Return up to three initials of a brand name: "Everything Apple" -> "EA"."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name) if w]
    if len(words) == 1:
        return words[0][:3].upper()
    return "".join(w[0] for w in words[:3]).upper()


def draw(name: str, slug: str, size: tuple[int, int], fmt: str) -> bytes:
    """Return the encoded logo image of a brand."""
    image = Image.new("RGB", FULL_SIZE, colour_of(slug))
    canvas = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=260)
    canvas.text(
        (FULL_SIZE[0] / 2, FULL_SIZE[1] / 2 - 40), initials(name), fill="white", font=font, anchor="mm"
    )
    canvas.text(
        (FULL_SIZE[0] / 2, FULL_SIZE[1] - 110),
        name,
        fill="white",
        font=ImageFont.load_default(size=64),
        anchor="mm",
    )
    if size != FULL_SIZE:
        image = image.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, fmt, quality=85)
    return out.getvalue()


def logo(filename: str, names: dict[str, str]) -> tuple[bytes, str] | None:
    """Return (image bytes, content type) for a logo file name, or None if unknown."""
    match = NAME_RE.match(filename)
    if match is None or match["slug"] not in names:
        return None
    with _lock:
        cached = _cache.get(filename)
    if cached:
        return cached
    fmt, content_type = FORMATS[match["ext"]]
    data = draw(names[match["slug"]], match["slug"], SIZES[match["size"] or ""], fmt)
    with _lock:
        _cache[filename] = (data, content_type)
    return data, content_type
