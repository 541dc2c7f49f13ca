"""A rep's day and the manager's view of it, in Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.web.conftest import PHONE, Browse, Site, shoot


def test_a_logged_call_shows_on_my_day_and_on_the_leaderboard(browse: Browse, site: Site) -> None:
    rep = browse.page(site.seeded.rep)
    rep.goto("/day")
    expect(rep.get_by_role("region", name="Overdue")).to_contain_text("Overdue call back")
    expect(rep.get_by_role("region", name="Planned today")).to_contain_text("Call about the")
    rep.get_by_label("Type").select_option("call")
    rep.get_by_label("Outcome").select_option("connected")
    rep.get_by_label("Subject").fill("Pricing question from the buyer")
    rep.get_by_label("Next step").fill("Send the revised quote")
    rep.get_by_role("button", name="Log it").click()
    done = rep.locator("#done-today")
    expect(done).to_contain_text("Pricing question from the buyer")
    expect(done).to_contain_text("Connected")
    expect(done).to_contain_text("Send the revised quote")

    manager = browse.page(site.seeded.manager)
    manager.goto("/team?days=7")
    board = manager.locator("#leaderboard")
    rep_name = rep.locator("form.inline button").inner_text().split("(")[1].rstrip(")")
    row = board.locator("tr", has_text=rep_name)
    expect(row).to_be_visible()
    row.get_by_role("link").last.click()  # drill down from the number to the rows behind it
    expect(manager.locator("table")).to_contain_text("Pricing question from the buyer")


def test_the_quick_log_insists_on_a_next_step(browse: Browse, site: Site) -> None:
    rep = browse.page(site.seeded.rep)
    rep.goto("/day")
    rep.get_by_label("Next step").evaluate("el => el.removeAttribute('required')")
    rep.get_by_role("button", name="Log it").click()
    expect(rep.get_by_role("alert")).to_contain_text("next_step")


def test_a_deal_moves_by_keyboard_and_by_drag_and_drop(browse: Browse, site: Site) -> None:
    rep = browse.page(site.seeded.rep)
    rep.goto("/board")
    card = rep.locator(f'.deal[data-deal="{site.seeded.rep_deal_id}"]')
    expect(card).to_be_visible()
    card.focus()
    rep.keyboard.press("ArrowRight")
    expect(rep.get_by_role("status")).to_contain_text("Moved to Discovery")
    moved = rep.locator(
        f'.column[data-stage="Discovery"] .deal[data-deal="{site.seeded.rep_deal_id}"]'
    )
    expect(moved).to_be_focused()
    moved.drag_to(rep.locator('.column[data-stage="Proposal"]'))
    expect(rep.get_by_role("status")).to_contain_text("Moved to Proposal")
    rep.goto(f"/deals/{site.seeded.rep_deal_id}")
    expect(rep.locator(".timeline")).to_contain_text("Discovery → Proposal")


def test_a_rep_cannot_open_manager_pages_or_another_teams_records(
    browse: Browse, site: Site
) -> None:
    s = site.seeded
    hidden = {
        (403, "/team"),
        (404, f"/deals/{s.other_deal_id}"),
        (404, f"/accounts/{s.other_account_id}"),
    }
    browse.watch.allowed |= hidden
    rep = browse.page(s.rep)
    for status, path in sorted(hidden):
        response = rep.goto(path)
        assert response is not None and response.status == status, path
        expect(rep.get_by_role("link", name=re.compile("Home"))).to_be_visible()


def test_check_in_and_out_from_a_phone(browse: Browse, site: Site) -> None:
    rep = browse.page(
        site.seeded.rep,
        viewport=PHONE,
        geolocation={"latitude": 10.7769, "longitude": 106.7009},
        permissions=["geolocation"],
        is_mobile=True,
        has_touch=True,
    )
    rep.goto("/checkin")
    rep.get_by_role("button", name="Check in here").click()
    expect(rep.get_by_role("heading", name=re.compile("^At "))).to_be_visible()
    shoot(rep, "checkin-phone")
    rep.get_by_label("Next step").fill("Bring samples next week")
    rep.get_by_role("button", name="Check out").click()
    expect(rep.get_by_role("heading", name=re.compile("^At "))).to_have_count(0)
    rep.goto("/day")
    expect(rep.locator("#done-today")).to_contain_text("Bring samples next week")
