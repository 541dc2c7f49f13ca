"""A rep plans a field day on the map page in Chromium and sees it drawn in route order."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from salestrack.automation.field_routes import planned_day
from salestrack.automation.routes import haversine_km
from salestrack.domain.actor import SYSTEM
from salestrack.services.users import actor_for
from salestrack.store.engine import make_engine
from salestrack.store.models import Account, User
from salestrack.store.uow import UnitOfWork
from tests.e2e.web.conftest import Browse, Site, shoot

DAY = date(2030, 3, 5)  # far from the seeded activities, so no other page changes
HOME = (40.75, -73.98)  # Manhattan, where this rep's nearest accounts are

# Marker icons sit at translate3d(x, y, 0) in layer pixels, and the route line's SVG path runs
# through the same layer pixels, so each marker must sit on the vertex of its stop.
MARKERS_AND_LINE = """() => {
  const markers = [...document.querySelectorAll(".leaflet-marker-pane .stop-marker")];
  const line = document.querySelectorAll("path.route-line");
  const d = line.length ? line[0].getAttribute("d") : "";
  return {
    markers: markers.map(m => {
      const [x, y] = m.style.transform.match(/-?[\\d.]+px/g).map(parseFloat);
      return { text: m.textContent, title: m.title, x: x, y: y };
    }),
    lines: line.length,
    vertices: [...d.matchAll(/[ML]\\s*(-?[\\d.]+)[ ,](-?[\\d.]+)/g)].map(v => [+v[1], +v[2]]),
  };
}"""


def _rep_and_accounts(site: Site) -> tuple[User, list[Account]]:
    """The signed-in rep of the seeded org and their accounts on the map (test setup)."""
    engine = make_engine(site.database_url)
    try:
        uow = UnitOfWork(engine)
        with uow(SYSTEM):
            rep = uow.users.find_one(email=site.seeded.rep)
            assert rep is not None
            located = uow.accounts.list(Account.owner_id == rep.id, Account.latitude.is_not(None))
    finally:
        engine.dispose()
    return rep, list(located)


def _distance(account: Account) -> float:
    return haversine_km(HOME, (account.latitude or 0.0, account.longitude or 0.0))


def test_a_rep_plans_a_day_and_sees_numbered_stops_on_the_line(browse: Browse, site: Site) -> None:
    rep_user, accounts = _rep_and_accounts(site)
    near = [a for a in accounts if _distance(a) < 60]
    far = max(accounts, key=_distance)  # a day's drive away: it cannot fit
    assert len(near) >= 3 and _distance(far) > 1000

    rep = browse.page(
        site.seeded.rep,
        geolocation={"latitude": HOME[0], "longitude": HOME[1]},
        permissions=["geolocation"],
    )
    rep.goto("/map")
    rep.get_by_role("link", name="Field route for a day").click()
    rep.get_by_label("Day", exact=True).fill(DAY.isoformat())
    rep.get_by_role("button", name="Show").click()
    expect(rep.locator("#route-stops")).to_contain_text("No visits planned for this day.")

    rep.get_by_role("button", name="Use my position").click()
    expect(rep.get_by_label("Latitude")).to_have_value("40.750000")
    for account in [*near, far]:
        rep.locator(f'input[name="account_ids"][value="{account.id}"]').check()
    rep.get_by_label("Minutes per visit").fill("30")
    rep.get_by_role("button", name="Plan the day").click()

    listed = rep.locator("#route-stops li[data-number]")
    expect(listed).to_have_count(len(near))
    engine = make_engine(site.database_url)
    try:
        day = planned_day(UnitOfWork(engine), actor_for(rep_user), rep_user.id, DAY)
    finally:
        engine.dispose()
    in_route_order = [s.account.name for s in day.stops]
    assert [li.get_attribute("data-name") for li in listed.all()] == in_route_order
    expect(rep.locator("#dropped")).to_contain_text(far.name)

    drawn = rep.evaluate(MARKERS_AND_LINE)
    numbers = [str(n) for n in range(1, len(near) + 1)]
    assert [m["text"] for m in drawn["markers"]] == numbers
    assert [m["title"] for m in drawn["markers"]] == [
        f"{n}. {name}" for n, name in zip(numbers, in_route_order, strict=True)
    ]
    assert drawn["lines"] == 1
    start, *through, back = drawn["vertices"]
    assert start == back  # from home and back home
    assert through == [[m["x"], m["y"]] for m in drawn["markers"]]

    rep.locator(".leaflet-marker-pane .stop-marker").first.click()
    popup = rep.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(in_route_order[0])
    arrival = listed.first.locator("dd").first.inner_text()
    expect(popup).to_contain_text(f"Expected arrival{arrival}")
    expect(rep.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in
    shoot(rep, "route-desktop")

    # A click on the map sets where the next plan starts.
    box = rep.locator("#route-map").bounding_box()
    assert box is not None
    rep.locator("#route-map").click(position={"x": box["width"] - 15, "y": box["height"] - 15})
    expect(rep.get_by_label("Latitude")).not_to_have_value("40.75")
    assert float(rep.get_by_label("Latitude").input_value()) < HOME[0]  # the map's lower edge
