"""Every record resource of the API, declared once: path, table, schemas, services, filters.

Imports, metrics and insights (other issues) add their own routers in ``app.py``; record types
added later need only a new ``Resource`` here. The automation resources are declared in
``api/automation.py`` and listed here with the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from salestrack.api.automation import AUTOMATION_RESOURCES
from salestrack.api.resource import NAMED_SORT, Action, Resource
from salestrack.api.schemas.accounts import (
    AccountCreate,
    AccountOut,
    AccountUpdate,
    ContactCreate,
    ContactOut,
    ContactUpdate,
)
from salestrack.api.schemas.activities import (
    ActivityCreate,
    ActivityOut,
    ActivityUpdate,
    Cancellation,
    Completion,
    Reschedule,
)
from salestrack.api.schemas.commerce import (
    OrderCreate,
    OrderOut,
    SatisfactionCreate,
    SatisfactionOut,
)
from salestrack.api.schemas.common import IdField, ListQuery
from salestrack.api.schemas.deals import DealCreate, DealOut, DealUpdate, StageMove
from salestrack.api.schemas.goals import (
    ActivityTypeCreate,
    ActivityTypeOut,
    GoalCreate,
    GoalOut,
    GoalUpdate,
)
from salestrack.api.schemas.leads import LeadCreate, LeadOut, LeadUpdate
from salestrack.api.schemas.people import (
    TeamCreate,
    TeamOut,
    TeamUpdate,
    UserCreate,
    UserOut,
    UserUpdate,
)
from salestrack.domain.actor import Actor
from salestrack.errors import ValidationFailed
from salestrack.services import (
    accounts,
    activities,
    activity_types,
    deals,
    goals,
    leads,
    orders,
    users,
)
from salestrack.store import models as m
from salestrack.store.models import Activity
from salestrack.store.uow import UnitOfWork


def create_activity(
    uow: UnitOfWork, actor: Actor, *, type: str, status: str = "done", **fields: Any
) -> Activity:
    """One create endpoint for both use cases: log a done activity, or plan one."""
    if status == "planned":
        for name in ("outcome", "result", "ended_at"):
            if fields.get(name) is not None:
                raise ValidationFailed(name, "is set when completing, not when planning")
        due_at: datetime | None = fields.pop("due_at", None)
        if due_at is None:
            raise ValidationFailed("due_at", "is required to plan an activity")
        return activities.plan_activity(uow, actor, type=type, due_at=due_at, **fields)
    return activities.log_activity(
        uow, actor, type=type, outcome=fields.pop("outcome", None), **fields
    )


class UserQuery(ListQuery):
    role: str | None = None
    team_id: IdField | None = None
    is_active: bool | None = None
    email: str | None = None


class TeamQuery(ListQuery):
    name: str | None = None


class OwnedQuery(ListQuery):
    owner_id: IdField | None = None
    source: str | None = None
    external_id: str | None = None


class AccountQuery(OwnedQuery):
    status: str | None = None
    tier: str | None = None
    segment: str | None = None
    region: str | None = None
    country: str | None = None


class ContactQuery(OwnedQuery):
    account_id: IdField | None = None
    email: str | None = None


class LeadQuery(OwnedQuery):
    status: str | None = None
    account_id: IdField | None = None


class DealQuery(OwnedQuery):
    account_id: IdField | None = None
    stage_id: IdField | None = None
    pipeline_id: IdField | None = None


class ActivityQuery(OwnedQuery):
    status: str | None = None
    type_id: IdField | None = None
    account_id: IdField | None = None
    contact_id: IdField | None = None
    deal_id: IdField | None = None
    lead_id: IdField | None = None


class OrderQuery(ListQuery):
    account_id: IdField | None = None
    deal_id: IdField | None = None
    source: str | None = None


class SatisfactionQuery(ListQuery):
    account_id: IdField | None = None
    rep_id: IdField | None = None
    kind: str | None = None


class GoalQuery(ListQuery):
    user_id: IdField | None = None
    team_id: IdField | None = None
    metric: str | None = None
    period: str | None = None


class ActivityTypeQuery(ListQuery):
    key: str | None = None
    category: str | None = None
    is_active: bool | None = None


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "users",
        "users",
        m.User,
        UserOut,
        UserQuery,
        create=UserCreate,
        create_fn=users.create_user,
        update=UserUpdate,
        update_fn=users.update_user,
        sortable=(*NAMED_SORT, "email"),
    ),
    Resource(
        "teams",
        "teams",
        m.Team,
        TeamOut,
        TeamQuery,
        create=TeamCreate,
        create_fn=users.create_team,
        update=TeamUpdate,
        update_fn=users.update_team,
        sortable=NAMED_SORT,
    ),
    Resource(
        "accounts",
        "accounts",
        m.Account,
        AccountOut,
        AccountQuery,
        create=AccountCreate,
        create_fn=accounts.create_account,
        update=AccountUpdate,
        update_fn=accounts.update_account,
        sortable=NAMED_SORT,
    ),
    Resource(
        "contacts",
        "contacts",
        m.Contact,
        ContactOut,
        ContactQuery,
        create=ContactCreate,
        create_fn=accounts.create_contact,
        update=ContactUpdate,
        update_fn=accounts.update_contact,
        sortable=NAMED_SORT,
    ),
    Resource(
        "leads",
        "leads",
        m.Lead,
        LeadOut,
        LeadQuery,
        create=LeadCreate,
        create_fn=leads.create_lead,
        update=LeadUpdate,
        update_fn=leads.update_lead,
        sortable=NAMED_SORT,
    ),
    Resource(
        "deals",
        "deals",
        m.Deal,
        DealOut,
        DealQuery,
        create=DealCreate,
        create_fn=deals.create_deal,
        update=DealUpdate,
        update_fn=deals.update_deal,
        sortable=(*NAMED_SORT, "amount"),
        actions=(Action("move", StageMove, deals.move_deal_stage, "Move a deal to another stage"),),
    ),
    Resource(
        "activities",
        "activities",
        m.Activity,
        ActivityOut,
        ActivityQuery,
        create=ActivityCreate,
        create_fn=create_activity,
        update=ActivityUpdate,
        update_fn=activities.update_activity,
        actions=(
            Action("complete", Completion, activities.complete_activity, "Complete with outcome"),
            Action("cancel", Cancellation, activities.cancel_activity, "Cancel a planned one"),
            Action("reschedule", Reschedule, activities.reschedule_activity, "Move its due time"),
        ),
    ),
    Resource(
        "orders",
        "orders",
        m.Order,
        OrderOut,
        OrderQuery,
        create=OrderCreate,
        create_fn=orders.create_order,
    ),
    Resource(
        "satisfaction-responses",
        "satisfaction",
        m.SatisfactionResponse,
        SatisfactionOut,
        SatisfactionQuery,
        create=SatisfactionCreate,
        create_fn=orders.record_satisfaction,
    ),
    Resource(
        "goals",
        "goals",
        m.Goal,
        GoalOut,
        GoalQuery,
        create=GoalCreate,
        create_fn=goals.create_goal,
        update=GoalUpdate,
        update_fn=goals.update_goal,
    ),
    Resource(
        "activity-types",
        "activity_types",
        m.ActivityType,
        ActivityTypeOut,
        ActivityTypeQuery,
        create=ActivityTypeCreate,
        create_fn=activity_types.create_activity_type,
    ),
    *AUTOMATION_RESOURCES,
)
