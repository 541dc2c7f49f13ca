"""Account, contact, lead and deal pages, each with its timeline of activities and stage moves.

Every record is loaded with ``get_visible``: a record of another team is NotFound (404), the
same answer as a record that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from sqlalchemy import ColumnElement

from salestrack.store.models import Account, Activity, Stage, User
from salestrack.store.uow import UnitOfWork
from salestrack.web import queries
from salestrack.web.deps import Page, page
from salestrack.web.i18n import N_, Formatter
from salestrack.web.labels import label

router = APIRouter()
PageDep = Annotated[Page, Depends(page)]


def _timeline(
    uow: UnitOfWork, fmt: Formatter, where: ColumnElement[bool], deal_ids: list[int]
) -> list[dict[str, Any]]:
    """Activities and stage moves, newest first, as rows ready to show."""
    kinds = queries.activity_types(uow)
    stages = {s.id: s.name for s in uow.stages.list(limit=1000)}
    rows: list[dict[str, Any]] = []
    for a in queries.activities(uow, where, limit=100):
        when = a.started_at or a.due_at
        text = " · ".join(x for x in (a.subject, a.next_step and f"→ {a.next_step}") if x)
        rows.append(
            {
                "when": when,
                "what": label(fmt, kinds[a.type_id].key),
                "outcome": label(fmt, a.outcome) if a.outcome else label(fmt, a.status),
                "text": text,
                "href": f"/deals/{a.deal_id}" if a.deal_id else None,
            }
        )
    for change in queries.stage_history(uow, deal_ids):
        before = label(fmt, stages.get(change.from_stage_id or 0)) if change.from_stage_id else "–"
        rows.append(
            {
                "when": change.at,
                "what": fmt._(N_("Stage")),
                "outcome": f"{before} → {label(fmt, stages.get(change.to_stage_id))}",
                "text": "",
                "href": f"/deals/{change.deal_id}",
            }
        )
    rows.sort(key=lambda r: r["when"] or datetime.min, reverse=True)
    return rows


def _owner(uow: UnitOfWork, owner_id: int | None) -> str:
    return queries.names(uow, User, {owner_id or 0}).get(owner_id or 0, "–")


@router.get("/accounts")
def account_list(p: PageDep, q: str = "") -> HTMLResponse:
    uow = p.uow()
    with uow(p.actor):
        where = [Account.name.ilike(f"%{q.strip()}%")] if q.strip() else []
        accounts = uow.accounts.list(*where, limit=200)
    return p.render("accounts.html", accounts=accounts, q=q)


@router.get("/accounts/{account_id}")
def account_page(p: PageDep, account_id: int) -> HTMLResponse:
    uow = p.uow()
    with uow(p.actor):
        account = uow.accounts.get_visible(account_id)
        contacts = uow.contacts.list(account_id=account_id, limit=100)
        deals = uow.deals.list(account_id=account_id, limit=100)
        timeline = _timeline(uow, p.fmt, Activity.account_id == account_id, [d.id for d in deals])
        owner = _owner(uow, account.owner_id)
        stages = {s.id: s.name for s in uow.stages.list(limit=1000)}
    fields = [
        (N_("Status"), label(p.fmt, account.status)),
        (N_("Owner"), owner),
        (N_("Industry"), account.industry or "–"),
        (N_("Region"), account.region or "–"),
        (N_("Address"), account.address or "–"),
    ]
    return p.render(
        "record.html",
        title=account.name,
        kind=N_("Account"),
        fields=fields,
        timeline=timeline,
        contacts=contacts,
        deals=deals,
        stages=stages,
        back_url="/accounts",
        back_label=p.fmt._(N_("Accounts")),
    )


@router.get("/contacts/{contact_id}")
def contact_page(p: PageDep, contact_id: int) -> HTMLResponse:
    uow = p.uow()
    with uow(p.actor):
        contact = uow.contacts.get_visible(contact_id)
        timeline = _timeline(uow, p.fmt, Activity.contact_id == contact_id, [])
    fields = [
        (N_("Title"), contact.title or "–"),
        (N_("E-mail"), contact.email or "–"),
        (N_("Phone"), contact.phone or "–"),
    ]
    back = f"/accounts/{contact.account_id}" if contact.account_id else "/accounts"
    return p.render(
        "record.html",
        title=contact.name,
        kind=N_("Contact"),
        fields=fields,
        timeline=timeline,
        back_url=back,
        back_label=p.fmt._(N_("Account")),
    )


@router.get("/leads/{lead_id}")
def lead_page(p: PageDep, lead_id: int) -> HTMLResponse:
    uow = p.uow()
    with uow(p.actor):
        lead = uow.leads.get_visible(lead_id)
        timeline = _timeline(uow, p.fmt, Activity.lead_id == lead_id, [])
        owner = _owner(uow, lead.owner_id)
    fields = [
        (N_("Company"), lead.company or "–"),
        (N_("Status"), label(p.fmt, lead.status)),
        (N_("Source"), lead.lead_source or "–"),
        (N_("Owner"), owner),
        (N_("Created"), p.fmt.dt(lead.created_at)),
    ]
    return p.render(
        "record.html",
        title=lead.name,
        kind=N_("Lead"),
        fields=fields,
        timeline=timeline,
        back_url="/activities",
    )


@router.get("/deals/{deal_id}")
def deal_page(p: PageDep, deal_id: int) -> HTMLResponse:
    uow = p.uow()
    with uow(p.actor):
        deal = uow.deals.get_visible(deal_id)
        stage: Stage = uow.stages.get_visible(deal.stage_id)
        timeline = _timeline(uow, p.fmt, Activity.deal_id == deal_id, [deal_id])
        owner = _owner(uow, deal.owner_id)
        account = queries.names(uow, Account, {deal.account_id or 0}).get(deal.account_id or 0)
    fields = [
        (N_("Amount"), p.fmt.money(deal.amount, deal.currency)),
        (N_("Stage"), label(p.fmt, stage.name)),
        (N_("Owner"), owner),
        (N_("Account"), account or "–"),
        (N_("Expected close"), p.fmt.date(deal.expected_close)),
        (N_("Closed"), p.fmt.date(deal.closed_at)),
    ]
    back = f"/accounts/{deal.account_id}" if deal.account_id and account else "/board"
    return p.render(
        "record.html",
        title=deal.name,
        kind=N_("Deal"),
        fields=fields,
        timeline=timeline,
        back_url=back,
        back_label=p.fmt._(N_("Back")),
    )
