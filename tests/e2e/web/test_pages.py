"""Every page opens cleanly at desktop and phone width; insights draw their charts; Vietnamese."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.web.conftest import DESKTOP, PHONE, Browse, Site, shoot

INSIGHTS = (
    "win-rate",
    "attribution",
    "timing",
    "follow-up",
    "experiments",
    "customers",
    "satisfaction",
)


def test_every_insights_page_shows_its_sentence_n_and_chart(browse: Browse, site: Site) -> None:
    manager = browse.page(site.seeded.manager)
    for name in INSIGHTS:
        manager.goto(f"/insights/{name}")
        expect(manager.locator(".sentence")).not_to_be_empty()
        expect(manager.get_by_text("n = ")).to_be_visible()
        expect(manager.locator(".chart svg").first).to_be_visible()
        shoot(manager, f"insights-{name}-desktop")


def _pages(site: Site) -> dict[str, list[str]]:
    s = site.seeded
    return {
        s.rep: [
            "/day",
            "/activities",
            "/board",
            "/accounts",
            f"/accounts/{s.rep_account_id}",
            f"/deals/{s.rep_deal_id}",
            "/checkin",
            "/map",
            "/map/route",
            "/settings",
            "/insights",
        ],
        s.manager: ["/team", "/insights/win-rate"],
    }


@pytest.mark.parametrize(("width", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_every_page_renders_without_errors(
    browse: Browse, site: Site, width: str, viewport: dict[str, int]
) -> None:
    for email, paths in _pages(site).items():
        page = browse.page(email, viewport=viewport)
        for path in paths:
            page.goto(path)
            expect(page.locator("h1")).to_be_visible()
            expect(page.locator(".back a, nav a").first).to_be_visible()
            if path == "/map":
                expect(page.locator(".leaflet-interactive").first).to_be_attached()
            if path == "/team":
                expect(page.locator(".chart svg").first).to_be_visible()
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways at {width} width"
            name = path.strip("/").replace("/", "-") or "home"
            shoot(page, f"{name}-{width}")


def test_a_user_switched_to_vietnamese_sees_vietnamese_and_dong(browse: Browse, site: Site) -> None:
    admin = browse.page(site.seeded.admin)
    admin.goto("/settings")
    admin.get_by_label("Language").select_option("vi")
    admin.get_by_label("Time zone").fill("Asia/Ho_Chi_Minh")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("link", name="Ngày của tôi")).to_be_visible()
    admin.goto(f"/deals/{site.seeded.rep_deal_id}")
    expect(admin.locator("dl.fields")).to_contain_text("125.000.000\xa0₫")
    expect(admin.locator("html")).to_have_attribute("lang", "vi")
    shoot(admin, "deal-vi-desktop")
    admin.goto("/team")
    expect(admin.get_by_role("heading", name="Tổng quan nhóm")).to_be_visible()
    expect(admin.get_by_role("heading", name="Bảng xếp hạng")).to_be_visible()
    shoot(admin, "team-vi-desktop")
