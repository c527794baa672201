"""The shop's languages: the upstream's `lang` for each, and paths with or without their prefix."""

from django.conf import settings
from django.utils import translation

UPSTREAM_LANGS = {"en": "en", "es": "es", "zh-hans": "zh"}


def upstream_lang(language_code: str | None = None) -> str:
    """Return the upstream `lang` for a shop language (the active one by default)."""
    code = (language_code or translation.get_language() or "en").lower()
    return UPSTREAM_LANGS.get(code, UPSTREAM_LANGS.get(code.split("-")[0], "en"))


def strip_language_prefix(path: str) -> str:
    """Return `path` without its language prefix: the English path ("/es/shop/us/" -> "/shop/us/").

    English has no prefix (prefix_default_language=False), so this is also the path that resolves
    when English is active, which is what `set_language` resolves `next` against.
    """
    code = translation.get_language_from_path(path)
    if code is None:
        return path
    # The prefix in the URL may differ in case from the code ("/zh-Hans/"); drop it as written.
    rest = path[len(code) + 1 :]
    return rest if rest.startswith("/") else "/" + rest


def with_language_prefix(path: str, language_code: str) -> str:
    """Return the path of the same page in another language ("/shop/us/", "es" -> "/es/shop/us/")."""
    neutral = strip_language_prefix(path)
    if language_code == settings.LANGUAGE_CODE:
        return neutral
    return f"/{language_code}{neutral}"


def join_sentences(sentences) -> str:
    """Join translated sentences as the active language writes them: Chinese puts no space after 。."""
    parts = [str(s) for s in sentences if s]
    code = (translation.get_language() or "en").lower()
    return ("" if code.startswith("zh") else " ").join(parts)
