"""Keep the translation catalogs in step with the code: extract, update, check.

Run `python -m service_ops.catalogs` after changing user-facing text; then translate the new
entries in locales/*/LC_MESSAGES/messages.po. A test fails when the .pot is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from service_ops.i18n import LOCALES_DIR, SUPPORTED_LOCALES

ROOT = LOCALES_DIR.parent
SOURCE_DIRS = ("service_ops", "outlets", "tickets", "training", "audit_export")
POT_PATH = LOCALES_DIR / "messages.pot"
# Domain errors take an untranslated message id as their first argument.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "N_": None,
    **{
        name: None
        for name in (
            "DomainError",
            "Invalid",
            "NotFound",
            "Conflict",
            "InvalidTransition",
            "PermissionDenied",
            "NotAuthenticated",
        )
    },
}
SOURCE_LOCALE = "en"  # message ids are English
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def extract() -> Catalog:
    """Every translatable message in the source tree."""
    catalog = Catalog(project="service-ops", charset="utf-8")
    for folder in SOURCE_DIRS:
        directory = ROOT / folder
        if not directory.exists():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            str(directory),
            METHOD_MAP,
            keywords=KEYWORDS,
            options_map={"**/templates/**.html": {}},
        ):
            if "piccolo_migrations" in filename:
                continue
            catalog.add(
                message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments, context=context
            )
    return catalog


def message_ids(catalog: Catalog) -> set[str]:
    return {str(message.id) for message in catalog if message.id}


def write_pot(catalog: Catalog, path: Path = POT_PATH) -> None:
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=True, no_location=True, sort_output=True, width=0)


def update_locales(template: Catalog) -> None:
    for locale in SUPPORTED_LOCALES:
        po_path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
        po_path.parent.mkdir(parents=True, exist_ok=True)
        if po_path.exists():
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=locale)
        else:
            catalog = Catalog(locale=locale, charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        if locale == SOURCE_LOCALE:
            for message in catalog:
                if message.id and not message.string:
                    message.string = message.id
        with po_path.open("wb") as handle:
            write_po(
                handle,
                catalog,
                omit_header=False,
                no_location=True,
                sort_output=True,
                width=0,
                ignore_obsolete=True,
            )


def untranslated(locale: str) -> list[str]:
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    return sorted(str(m.id) for m in catalog if m.id and (not m.string or m.fuzzy))


def main() -> int:
    template = extract()
    write_pot(template)
    update_locales(template)
    missing = {locale: untranslated(locale) for locale in SUPPORTED_LOCALES}
    for locale, ids in missing.items():
        print(f"{locale}: {len(ids)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
