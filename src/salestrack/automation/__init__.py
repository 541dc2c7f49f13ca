"""Automation: the routine taken off the rep.

Follow-up rules, stalled-deal and nurture watches, customer events, cadences with timing
experiments, reminders (agenda e-mail, iCalendar feed) and field routes. Everything here writes
through a unit of work inside a service transaction, and every activity it plans carries
``source="rule"`` with a deterministic ``external_id``, so re-running never duplicates.
"""
