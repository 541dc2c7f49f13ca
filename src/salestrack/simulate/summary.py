"""What is in the store, as plain rows for the demo to print: totals, deals by stage,
activities by type, status and outcome. Counted with SQL, so it works on any loaded store."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from salestrack.store.models import (
    Account,
    Activity,
    ActivityType,
    Contact,
    Deal,
    Lead,
    Order,
    SatisfactionResponse,
    Stage,
    Team,
    User,
)

Rows = list[tuple[str, int]]


def store_summary(engine: Engine) -> dict[str, Rows]:
    """Sections of (label, count) rows: totals, deals_by_stage, activities_by_type,
    activities_by_status, activities_by_outcome (label "type: outcome", done activities)."""
    with engine.connect() as conn:

        def count(model: type, *where: object) -> int:
            stmt = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
            return int(conn.execute(stmt).scalar_one())

        totals: Rows = [
            ("teams", count(Team)),
            ("managers", count(User, User.role == "manager")),
            ("reps", count(User, User.role == "rep")),
            ("accounts", count(Account)),
            ("customers", count(Account, Account.status == "customer")),
            ("contacts", count(Contact)),
            ("leads", count(Lead)),
            ("deals", count(Deal)),
            ("activities", count(Activity)),
            ("orders", count(Order)),
            ("satisfaction responses", count(SatisfactionResponse)),
        ]
        by_stage = conn.execute(
            select(Stage.name, func.count(Deal.id))
            .select_from(Stage)
            .outerjoin(Deal, Deal.stage_id == Stage.id)
            .group_by(Stage.id, Stage.name, Stage.position)
            .order_by(Stage.position)
        ).all()
        by_type = conn.execute(
            select(ActivityType.key, func.count(Activity.id))
            .select_from(ActivityType)
            .outerjoin(Activity, Activity.type_id == ActivityType.id)
            .group_by(ActivityType.id, ActivityType.key)
            .order_by(func.count(Activity.id).desc(), ActivityType.key)
        ).all()
        by_status = conn.execute(
            select(Activity.status, func.count())
            .group_by(Activity.status)
            .order_by(func.count().desc())
        ).all()
        by_outcome = conn.execute(
            select(ActivityType.key, Activity.outcome, func.count())
            .join(ActivityType, Activity.type_id == ActivityType.id)
            .where(Activity.outcome.is_not(None))
            .group_by(ActivityType.key, Activity.outcome)
            .order_by(ActivityType.key, func.count().desc())
        ).all()
    return {
        "totals": totals,
        "deals_by_stage": [(str(s), int(n)) for s, n in by_stage],
        "activities_by_type": [(str(t), int(n)) for t, n in by_type],
        "activities_by_status": [(str(s), int(n)) for s, n in by_status],
        "activities_by_outcome": [(f"{t}: {o}", int(n)) for t, o, n in by_outcome],
    }
