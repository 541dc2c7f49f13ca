"""Messages from files: one .eml, a folder of .eml files, an mbox, or a Maildir.

An mbox is checked before anything is read into the store: a file cut off in its last message
(no final newline, or a multipart message without its closing boundary) is refused with the
byte and line where the cut message starts, so a truncated download writes nothing.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.errors import CloseBoundaryNotFoundDefect, StartBoundaryNotFoundDefect
from pathlib import Path

from salestrack.capture.email_message import to_activity
from salestrack.errors import ImportRowError, ValidationFailed
from salestrack.services.capture import CapturedActivity

_FROM = b"From "


def is_maildir(path: Path) -> bool:
    return path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def read_messages(path: Path) -> Iterator[CapturedActivity]:
    """The messages at ``path`` in file order, whatever the format (decided from the path)."""
    if not path.exists():
        raise ValidationFailed("path", f"{path} does not exist")
    if is_maildir(path):
        return read_maildir(path)
    if path.is_dir():
        return read_eml_files(sorted(path.glob("*.eml")))
    with path.open("rb") as handle:
        start = handle.read(len(_FROM))
    if start == _FROM:
        return read_mbox(path)
    return read_eml_files([path])


def read_eml_files(paths: list[Path]) -> Iterator[CapturedActivity]:
    for number, path in enumerate(paths, start=1):
        yield to_activity(message_from_bytes(path.read_bytes()), number)


def read_maildir(path: Path) -> Iterator[CapturedActivity]:
    """A Maildir's messages (new and cur), in the order of their file names (delivery order)."""
    box = mailbox.Maildir(path, create=False)
    for number, key in enumerate(sorted(box.keys()), start=1):
        message = box.get_message(key)  # its date is the delivery time (the file's mtime)
        delivered = datetime.fromtimestamp(message.get_date(), UTC)
        yield to_activity(message, number, received_at=delivered)


def mbox_offsets(path: Path) -> tuple[list[int], list[int]]:
    """Byte offset and line number of each ``From`` line that starts a message.

    The same split rule as the standard library's :class:`mailbox.mbox`: every line starting
    with ``From `` starts a message (mboxo escapes such body lines as ``>From ``).
    """
    offsets: list[int] = []
    lines: list[int] = []
    position = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith(_FROM):
                offsets.append(position)
                lines.append(number)
            position += len(line)
    return offsets, lines


def check_mbox(path: Path, offsets: list[int], lines: list[int]) -> None:
    """Refuse a truncated mbox: the cut is in the last message, so that one is checked."""
    size = path.stat().st_size
    if size == 0:
        return
    if not offsets or offsets[0] != 0:
        raise ImportRowError(1, "mbox", "is not an mbox file: it does not start with 'From '")
    with path.open("rb") as handle:
        handle.seek(offsets[-1])
        last = handle.read()
    where = f"message {len(offsets):,} (line {lines[-1]:,}, byte {offsets[-1]:,})"
    if not last.endswith(b"\n"):
        raise ImportRowError(
            lines[-1],
            "mbox",
            f"the file is truncated: it ends at byte {size:,} in the middle of a line of {where}",
        )
    body_starts = last.find(b"\n\n")
    if body_starts < 0:
        raise ImportRowError(lines[-1], "mbox", f"the file is truncated in the headers of {where}")
    message = message_from_bytes(last.split(b"\n", 1)[1])
    cut = (CloseBoundaryNotFoundDefect, StartBoundaryNotFoundDefect)
    if any(isinstance(d, cut) for part in message.walk() for d in part.defects):
        raise ImportRowError(
            lines[-1],
            "mbox",
            f"the file is truncated: {where} lacks the closing boundary of its parts",
        )


def read_mbox(path: Path) -> Iterator[CapturedActivity]:
    """An mbox's messages, after :func:`check_mbox`; one message in memory at a time."""
    offsets, lines = mbox_offsets(path)
    check_mbox(path, offsets, lines)
    return _mbox_messages(path, offsets)


def _mbox_messages(path: Path, offsets: list[int]) -> Iterator[CapturedActivity]:
    ends = [*offsets[1:], path.stat().st_size]
    with path.open("rb") as handle:
        for number, (start, end) in enumerate(zip(offsets, ends, strict=True), start=1):
            handle.seek(start)
            from_line, _, raw = handle.read(end - start).partition(b"\n")
            yield to_activity(
                message_from_bytes(raw), number, received_at=_from_line_date(from_line)
            )


def _from_line_date(line: bytes) -> datetime | None:
    """The delivery time on an mbox ``From`` line (``From a@b Thu Feb  7 08:04:32 2002``, UTC)."""
    parts = line.decode("ascii", "replace").split()
    try:
        return datetime.strptime(" ".join(parts[-5:]), "%a %b %d %H:%M:%S %Y").replace(tzinfo=UTC)
    except ValueError:
        return None
