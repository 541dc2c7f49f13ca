"""Jinja2 environments, one per locale, each with its gettext catalog installed.

One environment per locale keeps translation thread-safe without per-request globals; the
request's :class:`~salestrack.web.i18n.Formatter` is passed to every template as ``fmt``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from salestrack.web.i18n import translations

TEMPLATES = Path(__file__).parent / "templates"


def query(base: str, **params: Any) -> str:
    """``base?k=v`` leaving out empty values: links carry only the filters that are set."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{base}?{urlencode(kept)}" if kept else base


@cache
def environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals["query"] = query
    return env


def render_text(locale: str, template: str, context: dict[str, Any]) -> str:
    return environment(locale).get_template(template).render(context)
