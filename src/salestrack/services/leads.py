"""Leads: prospects before qualification. Prospecting is measured as leads created per rep."""

from __future__ import annotations

from typing import Any

from salestrack.domain import rules
from salestrack.domain.actor import Actor
from salestrack.domain.vocab import LeadStatus
from salestrack.services.fields import Rules, apply, ensure_link, validate
from salestrack.services.permissions import check_assign, check_change
from salestrack.store.models import Lead
from salestrack.store.uow import UnitOfWork

LEAD_FIELDS: Rules = {
    "name": lambda v: rules.require_text("name", v, max_len=200),
    "company": lambda v: rules.optional_text("company", v, max_len=255),
    "email": lambda v: rules.normalize_email("email", v),
    "phone": lambda v: rules.optional_text("phone", v, max_len=64),
    "lead_source": lambda v: rules.optional_text("lead_source", v, max_len=64),
    "status": lambda v: rules.choice("status", v, [s.value for s in LeadStatus]),
    "owner_id": lambda v: v,
    "account_id": lambda v: v,
    "time_zone": lambda v: rules.time_zone("time_zone", v),
    "converted_deal_id": lambda v: v,
    "source": lambda v: rules.require_text("source", v, max_len=16),
    "external_id": lambda v: rules.optional_text("external_id", v, max_len=255),
}


def create_lead(uow: UnitOfWork, actor: Actor, *, name: str, **fields: Any) -> Lead:
    with uow(actor, "lead.created"):
        values = validate(LEAD_FIELDS, {"name": name, **fields})
        values.setdefault("owner_id", actor.id)
        check_assign(uow, actor, values["owner_id"], "create a lead")
        ensure_link(uow.users, values["owner_id"], "owner_id")
        ensure_link(uow.accounts, values.get("account_id"), "account_id")
        lead = Lead(**values)
        if lead.status == LeadStatus.QUALIFIED:
            lead.qualified_at = uow.clock.now()
        uow.leads.add(lead)
        uow.commit()
    return lead


def update_lead(uow: UnitOfWork, actor: Actor, lead_id: int, **changes: Any) -> Lead:
    """Change a lead; qualifying it stamps ``qualified_at`` once."""
    with uow(actor, "lead.updated"):
        lead = uow.leads.get_visible(lead_id)
        check_change(uow, actor, lead.owner_id, "change this lead")
        values = validate(LEAD_FIELDS, changes)
        if "owner_id" in values:
            check_assign(uow, actor, values["owner_id"], "reassign this lead")
        ensure_link(uow.accounts, values.get("account_id"), "account_id")
        ensure_link(uow.deals, values.get("converted_deal_id"), "converted_deal_id")
        apply(lead, values)
        if lead.status == LeadStatus.QUALIFIED and lead.qualified_at is None:
            lead.qualified_at = uow.clock.now()
        uow.commit()
    return lead
