"""Translations (Babel catalogs in locales/), locale negotiation and locale-aware formatting."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from service_ops import clock, context
from service_ops.settings import get_settings

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
SUPPORTED_LOCALES = ("zh_CN", "en")
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Compile every messages.po whose .mo is missing or older (a clean checkout works)."""
    written = []
    for po_path in sorted(locales_dir.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written.append(mo_path)
    return written


@lru_cache(maxsize=8)
def translations(locale: str) -> Translations:
    compile_catalogs()
    loaded = Translations.load(str(LOCALES_DIR), [locale], domain="messages")
    return loaded if isinstance(loaded, Translations) else Translations()


def normalise_locale(value: str | None) -> str | None:
    """Map 'zh', 'zh-CN', 'zh_Hans_CN', 'en-US' … onto a supported locale, else None."""
    if not value:
        return None
    lowered = value.strip().replace("-", "_").lower()
    if lowered.startswith("zh"):
        return "zh_CN"
    if lowered.startswith("en"):
        return "en"
    return None


def negotiate(user_locale: str | None, accept_language: str | None) -> str:
    """User preference first, then the browser's Accept-Language, then the default."""
    preferred = normalise_locale(user_locale)
    if preferred:
        return preferred
    for part in (accept_language or "").split(","):
        tag, _, quality = part.strip().partition(";q=")
        if quality and _as_float(quality) <= 0:
            continue
        found = normalise_locale(tag)
        if found:
            return found
    return get_settings().default_locale


def _as_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


@lru_cache(maxsize=16)
def babel_locale(code: str) -> Locale:
    """Parsed once per code: Babel re-reads its locale list on every parse (two thirds of a date's cost)."""
    return Locale.parse(code)


def current_locale() -> str:
    return context.locale.get() or get_settings().default_locale


def gettext(message: str, **params: Any) -> str:
    """Translate into the current locale, then fill `{name}` placeholders."""
    text = translations(current_locale()).ugettext(message)
    return text.format(**params) if params else text


def format_datetime(value: datetime | None, fmt: str = "short") -> str:
    if value is None:
        return ""
    local = value.astimezone(clock.org_zone())
    pattern = "yyyy-MM-dd HH:mm" if fmt == "short" else fmt
    return dates.format_datetime(local, pattern, locale=babel_locale(current_locale()))


def format_date(value: date | None) -> str:
    if value is None:
        return ""
    return dates.format_date(value, "yyyy-MM-dd", locale=babel_locale(current_locale()))


def format_number(value: int | float | Decimal | None) -> str:
    if value is None:
        return ""
    return numbers.format_decimal(value, locale=babel_locale(current_locale()))


def format_duration_minutes(minutes: int | None) -> str:
    """'2 h 30 min' style, in the current language."""
    if minutes is None:
        return ""
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    if hours and rest:
        return sign + gettext("{hours} h {minutes} min", hours=hours, minutes=rest)
    if hours:
        return sign + gettext("{hours} h", hours=hours)
    return sign + gettext("{minutes} min", minutes=rest)
