"""Translations: the .pot matches the code, every catalog compiles and is complete."""

from __future__ import annotations

import io
import re

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from service_ops import catalogs, i18n
from service_ops.i18n import LOCALES_DIR, SUPPORTED_LOCALES

PLACEHOLDER = re.compile(r"{(\w+)}")


def _catalog(locale: str) -> object:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def test_pot_is_current() -> None:
    with catalogs.POT_PATH.open("rb") as handle:
        committed = catalogs.message_ids(read_po(handle))
    extracted = catalogs.message_ids(catalogs.extract())
    assert extracted - committed == set(), "new messages: run `python -m service_ops.catalogs` and translate"
    assert committed - extracted == set(), "stale messages: run `python -m service_ops.catalogs`"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_catalog_compiles_and_is_complete(locale: str) -> None:
    catalog = _catalog(locale)
    write_mo(io.BytesIO(), catalog)  # raises on a broken catalog
    with catalogs.POT_PATH.open("rb") as handle:
        template_ids = catalogs.message_ids(read_po(handle))
    assert catalogs.message_ids(catalog) == template_ids, "run `python -m service_ops.catalogs`"
    assert catalogs.untranslated(locale) == [], f"{locale} has untranslated messages"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_translations_keep_their_placeholders(locale: str) -> None:
    for message in _catalog(locale):  # type: ignore[attr-defined]
        if message.id:
            assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message.id)), (
                message.id
            )


def test_locale_negotiation() -> None:
    assert i18n.negotiate("en", "zh-CN") == "en"
    assert i18n.negotiate(None, "en-GB,en;q=0.8") == "en"
    assert i18n.negotiate(None, "fr-FR, zh-TW;q=0.5") == "zh_CN"
    assert i18n.negotiate(None, "en;q=0, fr") == "zh_CN"
    assert i18n.negotiate(None, None) == "zh_CN"


def test_formatting_follows_the_locale() -> None:
    from service_ops import context

    token = context.locale.set("en")
    try:
        assert i18n.format_number(1234567) == "1,234,567"
        assert i18n.format_duration_minutes(150) == "2 h 30 min"
    finally:
        context.locale.reset(token)
    token = context.locale.set("zh_CN")
    try:
        assert i18n.format_duration_minutes(150) == "2 小时 30 分钟"
    finally:
        context.locale.reset(token)
