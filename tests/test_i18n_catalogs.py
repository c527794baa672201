"""The translation catalogs: complete, faithful to their placeholders, and compiled in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import to_locale

from storefront.management.commands.compile_translations import find_catalogs, is_stale, mo_path_for

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
TRANSLATED_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}|</?[a-z]+[^>]*>")
# Messages that rightly read the same in another language: names, codes and symbols.
SAME_EVERYWHERE = {
    "English",
    "Español",
    "简体中文",
    "eSIM",
    "Total",
    "Extras",
    "%(low)s–%(high)s %(currency)s",
    '<a href="#%(anchor)s">%(label)s</a>: %(message)s',
}


def po_file(language_code: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / to_locale(language_code) / "LC_MESSAGES" / "django.po"))


def describe(entry: polib.POEntry) -> str:
    where = entry.occurrences[0] if entry.occurrences else ("?", "")
    return f"{entry.msgid[:70]!r} ({where[0]}:{where[1]})"


def test_every_shop_language_has_a_catalog():
    for code in TRANSLATED_LANGUAGES:
        assert (LOCALE_DIR / to_locale(code) / "LC_MESSAGES" / "django.po").exists(), code


@pytest.mark.parametrize("language_code", TRANSLATED_LANGUAGES)
def test_catalog_has_no_untranslated_or_fuzzy_message(language_code):
    po = po_file(language_code)
    untranslated = [describe(e) for e in po.untranslated_entries()]
    fuzzy = [describe(e) for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated in {language_code}: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {language_code}: {fuzzy[:10]}"


@pytest.mark.parametrize("language_code", TRANSLATED_LANGUAGES)
def test_translations_keep_every_placeholder_and_tag(language_code):
    broken = []
    for entry in po_file(language_code).translated_entries():
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            got = [sorted(PLACEHOLDER.findall(s)) for s in entry.msgstr_plural.values()]
            plural_wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural))
            # A singular form may drop the count ("one item"); it may not invent a placeholder.
            if any(not set(g) <= set(plural_wanted) for g in got) or got[-1] != plural_wanted:
                broken.append(describe(entry))
        elif sorted(PLACEHOLDER.findall(entry.msgstr)) != wanted:
            broken.append(describe(entry))
    assert not broken, f"placeholders or HTML changed in {language_code}: {broken}"


@pytest.mark.parametrize("language_code", TRANSLATED_LANGUAGES)
def test_translations_are_not_copies_of_the_english(language_code):
    copies = [
        describe(e)
        for e in po_file(language_code).translated_entries()
        if not e.msgid_plural
        and e.msgstr == e.msgid
        and e.msgid not in SAME_EVERYWHERE
        # Many country names are spelled the same (Argentina, Chile); the shop's own text is not.
        and not all(path == "catalog/countries.py" for path, _line in e.occurrences)
    ]
    assert not copies, f"copied English in {language_code}: {copies}"


@pytest.mark.parametrize("po_path", find_catalogs(), ids=lambda p: p.parent.parent.name)
def test_committed_mo_matches_its_po(po_path):
    assert mo_path_for(po_path).exists(), f"{mo_path_for(po_path)} is missing: run compile_translations"
    assert not is_stale(po_path), f"{mo_path_for(po_path)} is stale: run compile_translations"


def test_compile_translations_check_fails_on_a_stale_catalog(tmp_path, settings):
    po_dir = tmp_path / "es" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="Cart", msgstr="Carrito"))
    po.save(str(po_dir / "django.po"))
    settings.LOCALE_PATHS = [tmp_path]

    with pytest.raises(Exception, match="out of date"):
        call_command("compile_translations", "--check")
    call_command("compile_translations")
    call_command("compile_translations", "--check")
    assert polib.mofile(str(po_dir / "django.mo")).find("Cart").msgstr == "Carrito"


def test_django_serves_the_compiled_spanish_catalog():
    with translation.override("es"):
        assert translation.gettext("Add to cart") == "Agregar al carrito"
        assert translation.ngettext("item", "items", 2) == "artículos"


def test_every_language_catalog_holds_the_same_messages():
    # makemessages refreshes every catalog from the same code; a catalog missing a message shows it
    # in English, and one keeping a message the code no longer has hides a stale translation.
    catalogs = {code: {(e.msgctxt, e.msgid) for e in po_file(code)} for code in TRANSLATED_LANGUAGES}
    reference_code, reference = next(iter(catalogs.items()))
    for code, messages in catalogs.items():
        missing = sorted(m[1][:70] for m in reference - messages)
        extra = sorted(m[1][:70] for m in messages - reference)
        assert not missing and not extra, f"{code} vs {reference_code}: missing {missing}, extra {extra}"


# Formal imperatives Django's own Spanish uses; the shop speaks to the shopper as tú throughout.
USTED_IMPERATIVES = re.compile(r"\b(Introduzca|Asegúrese|Escoja|Seleccione|Inténtelo|Compruebe)\b")


def test_spanish_speaks_to_the_shopper_as_tu_also_in_djangos_form_errors():
    with translation.override("es"):
        with pytest.raises(ValidationError) as invalid:
            forms.EmailField().clean("not-an-email")
        assert invalid.value.messages == ["Ingresa una dirección de correo electrónico válida."]
        with pytest.raises(ValidationError) as too_long:
            forms.CharField(max_length=2).clean("abc")
        assert too_long.value.messages[0].startswith("Asegúrate de que este valor tenga como máximo 2")
    formal = [e.msgstr or e.msgstr_plural[0] for e in po_file("es") if USTED_IMPERATIVES.search(
        e.msgstr or " ".join(e.msgstr_plural.values()))]
    assert not formal, formal


def glossary(language_code: str) -> list[tuple[str, str, list[str]]]:
    """Return the language's glossary rows: (English term pattern, translation, forbidden forms)."""
    path = LOCALE_DIR / to_locale(language_code) / "glossary.tsv"
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        term, translation_, forbidden = line.split("\t")
        rows.append((term, translation_, [f.strip() for f in forbidden.split(",") if f.strip()]))
    return rows


@pytest.mark.parametrize("language_code", TRANSLATED_LANGUAGES)
def test_one_term_has_one_translation_as_the_glossary_says(language_code):
    # Issue 16: "payment" was 付款 and 支付, "enter" escribe, introduce and ingresaste, a payment
    # address read as the shopper's own wallet. The glossary in locale/ names the shop's words.
    rows = glossary(language_code)
    assert len(rows) >= 5
    off = []
    for entry in po_file(language_code).translated_entries():
        english = " ".join(filter(None, [entry.msgid, entry.msgid_plural]))
        translated = " ".join([entry.msgstr, *entry.msgstr_plural.values()])
        for term, translation_, forbidden in rows:
            if re.search(term, english, re.IGNORECASE):
                off += [f"{describe(entry)}: {word!r} (the shop says {translation_})"
                        for word in forbidden if word in translated]
    assert not off, f"{len(off)} off the glossary in {language_code}: {off[:15]}"


def test_chinese_sentences_end_with_full_width_punctuation():
    half = re.compile(r"[\u4e00-\u9fff][.,:;?!()]")
    off = [describe(e) for e in po_file("zh-hans").translated_entries()
           if half.search(" ".join([e.msgstr, *e.msgstr_plural.values()]))]
    assert not off, off
