"""index.html (self-contained, bilingual: Chinese shown, English one click away, no script or
network needed) and the HTML the PDF summary is printed from.

Both languages are rendered into the page: `_()` in these templates yields the Chinese and the
English text side by side, and CSS shows one of them (a checkbox toggles; it works from disk).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from audit_export.pack.contents import Listed
from audit_export.pack.manifest import AuditHead, iso_as_of
from audit_export.pack.sources import PackFigures
from audit_export.period import Period
from audit_export.rubric import load_rubric
from service_ops.i18n import translations

TEMPLATES = Path(__file__).resolve().parent / "templates"
SHARED_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # the grade-name macro
CHINESE = "zh_CN"
ENGLISH = "en"
STANDARD_TITLE = {"zh": "商品售后服务评价体系", "en": "Evaluation indicator system of after-sales service"}
"""The standard's own title (a proper name, not interface text)."""


@dataclass(frozen=True)
class KpiFiles:
    code: str
    title: str
    figure: dict[str, Any]
    files: list[Listed] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    """Everything index.html and the PDF summary show."""

    period: Period
    as_of: datetime
    head: AuditHead
    figures: PackFigures
    kpis: list[KpiFiles]
    documents: list[Listed]
    registers: list[Listed]
    samples: list[Listed]
    summary_files: list[Listed]


def _translate(locale: str, message: str, params: dict[str, Any]) -> str:
    text = translations(locale).ugettext(message)
    return text.format(**params) if params else text


def both(zh: str, en: str) -> Markup:
    """Chinese and English side by side; the page's CSS shows one."""
    return Markup('<span lang="zh-CN">{}</span><span lang="en">{}</span>').format(escape(zh), escape(en))


def _bilingual(message: str, **params: Any) -> Markup:
    return both(_translate(CHINESE, message, params), _translate(ENGLISH, message, params))


def _chinese(message: str, **params: Any) -> str:
    return _translate(CHINESE, message, params)


def _environment(gettext: Any) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(TEMPLATES)), FileSystemLoader(str(SHARED_TEMPLATES))]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(_=gettext, both=both)
    return env


def _context(report: Report) -> dict[str, Any]:
    rubric = load_rubric()
    return {
        "report": report,
        "indicators": report.figures.indicators,
        "as_of_text": iso_as_of(report.as_of),
        "standard": rubric.standard,
        "standard_title": STANDARD_TITLE,
        "rubric_items": {item.code: item for item in rubric.items},
    }


def render_index(report: Report) -> bytes:
    html = _environment(_bilingual).get_template("pack/index.html").render(_context(report))
    return html.encode("utf-8")


def render_summary(report: Report) -> str:
    """The PDF's HTML, in Chinese (the CJK font is named in the template's CSS)."""
    return _environment(_chinese).get_template("pack/summary.html").render(_context(report))
