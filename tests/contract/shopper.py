"""A shopper without JavaScript: follows links and submits forms as a browser would, with no script run.

Forms are read from the page's HTML (hidden fields, checked radios, selected options, the
pressed button), so a test walks the shop through what it really renders, not through URLs
and field names the test knows in advance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class Form:
    action: str
    method: str
    id: str = ""
    fields: list[tuple[str, str, str, bool]] = field(default_factory=list)  # name, value, type, on
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, text
    options: dict[str, list[str]] = field(default_factory=dict)  # radio/select name -> values

    def data(self, overrides: dict[str, str], *, button: str | None = None) -> dict[str, str]:
        """Return what a browser posts: the form's current values, the overrides, the pressed button."""
        posted: dict[str, str] = {}
        for name, value, kind, on in self.fields:
            if kind in ("radio", "checkbox") and not on:
                continue
            if kind in ("submit", "button", "image", "reset"):
                continue
            posted.setdefault(name, value)
        posted.update(overrides)
        for name, value, text in self.buttons:
            if name and button is not None and button in (value, text, name):
                posted[name] = value
        return posted


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[tuple[str, str]] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._link: list | None = None
        self._button: list | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            method = a.get("method", "get").lower()
            self._form = Form(action=a.get("action", ""), method=method, id=a.get("id", ""))
            self.forms.append(self._form)
        elif tag == "a" and "href" in a:
            self._link = [a["href"], ""]
        elif self._form is not None and tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text").lower()
            on = "checked" in a
            if kind in ("submit", "button", "image"):
                self._form.buttons.append((a["name"], a.get("value", ""), a.get("value", "")))
            else:
                value = a.get("value", "on" if kind == "checkbox" else "")
                self._form.fields.append((a["name"], value, kind, on))
                if kind == "radio":
                    self._form.options.setdefault(a["name"], []).append(a.get("value", ""))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.options.setdefault(self._select, [])
        elif self._form is not None and tag == "option" and self._select:
            value = a.get("value", "")
            self._form.options[self._select].append(value)
            if "selected" in a or not any(f[0] == self._select for f in self._form.fields):
                self._form.fields = [f for f in self._form.fields if f[0] != self._select]
                self._form.fields.append((self._select, value, "select", True))
        elif self._form is not None and tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
        elif tag == "button" and (self._form is not None or a.get("form")):
            # A button may sit outside its form and name it (form="pick"), as the add button does.
            owner = next((f for f in self.forms if a.get("form") and f.id == a["form"]), self._form)
            self._button = [a.get("name", ""), a.get("value", ""), "", owner]

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link[1] += data
        if self._button is not None:
            self._button[2] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea[0], self._textarea[1], "textarea", True))
            self._textarea = None
        elif tag == "button" and self._button is not None:
            name, value, text, owner = self._button
            if owner is not None:
                owner.buttons.append((name, value, " ".join(text.split())))
            self._button = None


@dataclass
class Page:
    url: str
    status: int
    html: str

    def _parsed(self) -> _PageParser:
        parser = _PageParser()
        parser.feed(self.html)
        return parser

    @property
    def text(self) -> str:
        """Return the page's visible text, whitespace folded (scripts and styles left out)."""
        body = re.sub(r"<(script|style)\b.*?</\1>", " ", self.html, flags=re.S)
        return " ".join(re.sub(r"<[^>]+>", " ", body).split())

    def link(self, href_pattern: str) -> str:
        """Return the first link whose href matches `href_pattern`, made absolute."""
        for href, _text in self._parsed().links:
            if re.search(href_pattern, href):
                return urljoin(self.url, href)
        raise AssertionError(f"no link matching {href_pattern!r} on {self.url}")

    def form(self, *, having: str) -> Form:
        """Return the first form with a field or button named `having`."""
        for form in self._parsed().forms:
            names = {f[0] for f in form.fields} | {b[0] for b in form.buttons}
            if having in names:
                return form
        raise AssertionError(f"no form with {having!r} on {self.url}")


class Shopper:
    """Drive a Django test client like a browser with JavaScript off."""

    def __init__(self, client) -> None:
        self.client = client
        self.page: Page | None = None

    def open(self, url: str) -> Page:
        return self._settle(url, self.client.get(url))

    def submit(self, form: Form, overrides: dict | None = None, *, button: str | None = None) -> Page:
        assert self.page is not None
        action = urljoin(self.page.url, form.action or self.page.url)
        data = form.data(overrides or {}, button=button)
        if form.method == "post":
            response = self.client.post(action, data, HTTP_REFERER=self.page.url)
        else:
            response = self.client.get(action, data)
        return self._settle(action, response)

    def _settle(self, url: str, response) -> Page:
        hops = 0
        while response.status_code in (301, 302, 303) and hops < 5:
            url = urljoin(url, response["Location"])
            response = self.client.get(url)
            hops += 1
        self.page = Page(url=urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else ""),
                         status=response.status_code, html=response.content.decode())
        return self.page
