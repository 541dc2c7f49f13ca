"""Capture: turn files, mailboxes, calendars and check-ins into records (writes go to services)."""
