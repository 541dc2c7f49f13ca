"""The shipped catalogs: every string translated, the committed .mo matching its .po, and
money formatted per locale and currency (VND has no minor unit)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from salestrack.web.i18n import CATALOGS, Formatter


def test_every_vietnamese_string_is_translated_and_compiled() -> None:
    po = CATALOGS / "vi" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as source:
        catalog = read_po(source, locale="vi")
    untranslated = [
        m.id
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    assert untranslated == []
    compiled = BytesIO()
    write_mo(compiled, catalog)
    assert compiled.getvalue() == po.with_suffix(".mo").read_bytes(), "run scripts/i18n.sh"


def test_money_follows_locale_and_currency() -> None:
    vi = Formatter("vi", "Asia/Ho_Chi_Minh")
    en = Formatter("en", "UTC")
    assert vi.money(Decimal("125000000"), "VND") == "125.000.000\xa0₫"
    assert en.money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert vi._("My day") == "Ngày của tôi"
    assert en.num(float("nan")) == "–"
