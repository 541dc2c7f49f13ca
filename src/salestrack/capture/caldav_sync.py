"""What changed in a CalDAV collection since the last run, fetching only what changed.

Three ways, the cheapest the server allows:

1. **Sync token** (RFC 6578 ``sync-collection`` REPORT with the token of the last run): the
   server lists the members changed or removed since then, nothing else.
2. **Full listing** when there is no token yet, or the server refused it (an expired or unknown
   token: 403 ``DAV:valid-sync-token``): a sync-collection REPORT without a token lists every
   member with its ETag and gives a fresh token; members whose ETag differs from the stored
   copy are changed, stored members no longer listed are removed.
3. **ETag comparison** when the server has no sync-collection at all: a ``PROPFIND`` of depth 1
   lists the members' ETags, compared the same way.

Changed members are then fetched with ``calendar-multiget`` in batches, so "nothing changed"
costs one request and fetches nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from caldav.elements import dav
from caldav.lib.error import AuthorizationError, DAVError

MULTIGET_BATCH = 100


@dataclass(frozen=True)
class Fetched:
    """A calendar object resource as fetched: its path, ETag and iCalendar text."""

    href: str
    etag: str | None
    data: str


@dataclass
class Changes:
    """What changed since the stored state, and how it was found out."""

    token: str | None  # the token to store (None: the server has none; ETags next time)
    changed: list[Fetched]
    removed: list[str]  # hrefs of stored resources the server no longer has
    how: str


def _href(url: Any) -> str:
    """A member's path, unquoted: servers quote ``@`` in one reply and not in the next."""
    return unquote(str(url.canonical().path))


def _etag(obj: Any) -> str | None:
    value = (getattr(obj, "props", None) or {}).get(dav.GetEtag.tag)
    return str(value) if value else None


def _members(result: Any) -> dict[str, str | None]:
    """The members a sync-collection reply lists as present (removed ones are listed too)."""
    deleted = {_href(u) for u in result.deleted_urls}
    return {_href(o.url): _etag(o) for o in result if _href(o.url) not in deleted}


def _is_permission_problem(exc: DAVError) -> bool:
    """A refusal of the login, not of the sync-collection REPORT itself (RFC 6578, 3253)."""
    report_refused = {dav.ValidSyncToken.tag, dav.SupportedReport.tag} & set(exc.preconditions)
    return isinstance(exc, AuthorizationError) and not report_refused


def _listing(calendar: Any) -> tuple[str | None, dict[str, str | None], str]:
    """Every member with its ETag: by an initial sync-collection, else by PROPFIND."""
    try:
        result = calendar.get_objects_by_sync_token(
            sync_token=None, load_objects=False, disable_fallback=True
        )
        return result.sync_token, _members(result), "full listing"
    except DAVError as exc:
        if _is_permission_problem(exc):
            raise
    reply = calendar.get_properties([dav.GetEtag()], depth=1, parse_response_xml=False)
    own = _href(calendar.url).rstrip("/")
    members = {
        unquote(href): (str(props.get(dav.GetEtag.tag)) if props.get(dav.GetEtag.tag) else None)
        for href, props in reply.expand_simple_props([dav.GetEtag()]).items()
    }
    members = {h: e for h, e in members.items() if h.rstrip("/") != own}
    return None, members, "ETag comparison (the server has no sync-collection)"


def _fetch(calendar: Any, hrefs: list[str]) -> list[Fetched]:
    """Download members with calendar-multiget; one that vanished meanwhile is left out."""
    found: list[Fetched] = []
    for start in range(0, len(hrefs), MULTIGET_BATCH):
        urls = [calendar.url.join(h) for h in hrefs[start : start + MULTIGET_BATCH]]
        for obj in calendar.multiget(urls):
            data = obj.data
            if data is None:  # gone since it was listed: the next run sees it removed
                continue
            text = data if isinstance(data, str) else bytes(data).decode("utf-8", "replace")
            found.append(Fetched(_href(obj.url), _etag(obj), text))
    return found


def _differing(listed: dict[str, str | None], known: dict[str, str | None]) -> list[str]:
    """Members new or changed against the stored ETags (no ETag: cannot tell, so changed)."""
    return sorted(h for h, etag in listed.items() if etag is None or known.get(h) != etag)


def read_changes(calendar: Any, token: str | None, known: dict[str, str | None]) -> Changes:
    """The changes of ``calendar`` (a caldav ``Calendar``) against the stored ``known`` ETags."""
    how = "full listing (first run)"
    if token:
        try:
            result = calendar.get_objects_by_sync_token(
                sync_token=token, load_objects=False, disable_fallback=True
            )
        except DAVError as exc:
            # Expired or unknown token, or no sync-collection after all: list everything. A
            # real login problem shows in the listing, which asks the same server.
            how = f"full listing (the server refused the sync token: {_reason(exc)})"
        else:
            listed = _members(result)
            changed = _fetch(calendar, _differing(listed, known))
            removed = sorted(_href(u) for u in result.deleted_urls if _href(u) in known)
            return Changes(result.sync_token, changed, removed, "sync token")
    new_token, listed, way = _listing(calendar)
    how = how if way == "full listing" else way
    changed = _fetch(calendar, _differing(listed, known))
    removed = sorted(set(known) - set(listed))
    return Changes(new_token, changed, removed, how)


def _reason(exc: DAVError) -> str:
    tags: Iterable[str] = exc.preconditions
    return ", ".join(t.split("}")[-1] for t in tags) or type(exc).__name__
