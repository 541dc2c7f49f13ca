"""Every change leaves an audit row and a change sequence number, on both stores."""

from __future__ import annotations

from sqlalchemy import select

from salestrack.domain.actor import SYSTEM
from salestrack.services import accounts
from salestrack.services.deals import move_deal_stage
from salestrack.store.models import Account, AuditEvent, Deletion
from salestrack.store.uow import UnitOfWork
from tests.factories import make_account, make_deal, make_rep


def _events(uow: UnitOfWork, entity: str, entity_id: int) -> list[AuditEvent]:
    with uow(SYSTEM):
        return list(
            uow.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
                .order_by(AuditEvent.id)
            )
        )


def test_create_and_update_each_write_one_audit_row(uow: UnitOfWork) -> None:
    user, rep = make_rep(uow)
    account = make_account(uow, rep, name="Acme")
    accounts.update_account(uow, rep, account.id, name="Acme GmbH", tier="B")
    accounts.update_account(uow, rep, account.id, name="Acme GmbH")  # no real change
    events = _events(uow, "accounts", account.id)
    assert [e.action for e in events] == ["account.created", "account.updated"]
    assert all(e.actor_id == user.id and e.actor_label == user.email for e in events)
    assert events[0].after is not None and events[0].after["name"] == "Acme"
    assert events[1].before == {"name": "Acme", "tier": None}
    assert events[1].after == {"name": "Acme GmbH", "tier": "B"}


def test_stage_move_audits_the_deal_and_its_stage_change(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    deal = make_deal(uow, rep)
    move_deal_stage(uow, rep, deal.id, "Proposal")
    actions = [e.action for e in _events(uow, "deals", deal.id)]
    assert actions == ["deal.created", "deal.stage_moved"]
    with uow(SYSTEM):
        moved = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "deal.stage_moved")
        ).all()
    assert {e.entity for e in moved} == {"deals", "stage_changes"}


def test_change_seq_grows_with_every_change(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    first = make_account(uow, rep)
    second = make_account(uow, rep)
    before = second.change_seq
    accounts.update_account(uow, rep, first.id, tier="C")
    with uow(SYSTEM):
        seqs = dict(uow.session.execute(select(Account.id, Account.change_seq)).tuples().all())
    assert seqs[second.id] == before
    assert seqs[first.id] > before > 0


def test_delete_leaves_a_tombstone(uow: UnitOfWork) -> None:
    _, rep = make_rep(uow)
    account = make_account(uow, rep)
    with uow(SYSTEM, "account.deleted"):
        uow.accounts.delete(uow.accounts.get_visible(account.id))
        uow.commit()
    with uow(SYSTEM):
        tomb = uow.session.scalars(select(Deletion)).one()
    assert (tomb.table_name, tomb.row_id) == ("accounts", account.id)
    assert tomb.change_seq > account.change_seq
    assert [e.action for e in _events(uow, "accounts", account.id)][-1] == "account.deleted"


def test_a_bulk_gets_ids_its_audit_rows_name_and_later_rows_follow_them(uow: UnitOfWork) -> None:
    """A bulk of new rows takes its ids before the insert (PostgreSQL: from the sequence).

    The ids must be distinct, each audit row must name its own row, and a single insert after
    the bulk must not collide with the ids the bulk took.
    """
    _, rep = make_rep(uow)
    with uow.batch(rep, "account.bulk_created", defer_flush=True):
        made = [accounts.create_account(uow, rep, name=f"Bulk {n}") for n in range(25)]
        uow.commit()
    after = make_account(uow, rep, name="After the bulk")
    ids = [a.id for a in made]
    assert len(set(ids)) == 25 and after.id > max(ids)
    with uow(SYSTEM):
        named = dict(
            uow.session.execute(
                select(AuditEvent.entity_id, AuditEvent.after["name"].as_string()).where(
                    AuditEvent.entity == "accounts"
                )
            ).all()
        )
        stored = dict(uow.session.execute(select(Account.id, Account.name)).all())
    assert named == stored == {**{a.id: a.name for a in made}, after.id: "After the bulk"}
