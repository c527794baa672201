"""Brand logos drawn with Pillow."""

from __future__ import annotations

import io

import pytest
from PIL import Image


@pytest.mark.parametrize(
    ("suffix", "content_type", "fmt", "size"),
    [
        (".webp", "image/webp", "WEBP", (1000, 636)),
        ("_500x318.webp", "image/webp", "WEBP", (500, 318)),
        ("_300x190.webp", "image/webp", "WEBP", (300, 190)),
        (".jpg", "image/jpeg", "JPEG", (1000, 636)),
        ("_500x318.jpg", "image/jpeg", "JPEG", (500, 318)),
        ("_300x190.jpg", "image/jpeg", "JPEG", (300, 190)),
    ],
)
def test_logo_variants(client, suffix, content_type, fmt, size):
    response = client.get(f"/logos/everything-apple{suffix}", headers={"X-Cr-Application": ""})
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["cache-control"] == "public, max-age=86400"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == (fmt, size)


def test_every_listed_brand_has_a_logo(client):
    categories = client.get("/v2/brands", params={"country_code": "MX"}).json()["categories"]
    for brand in (b for c in categories for b in c["brands"]):
        slug = brand["logo_base_url"].rsplit("/", 1)[1]
        assert client.get(f"/logos/{slug}_300x190.webp").status_code == 200


@pytest.mark.parametrize("name", ["nope.webp", "airbnb.png", "airbnb_999x999.webp", "airbnb"])
def test_unknown_logos_are_404(client, name):
    assert client.get(f"/logos/{name}").status_code == 404
