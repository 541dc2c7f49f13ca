"""Stream rows of CSV and JSON Lines files in chunks, each row with its original line number.

Memory stays bounded by the chunk size whatever the file size. Encoding problems are found
before anything is imported (one cheap pass over the bytes), so a Latin-1 file read as UTF-8
is refused with the line of the first bad byte instead of failing halfway through.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from salestrack.errors import ImportRowError

FIELD_LIMIT = 16 * 1024 * 1024  # a field this long is a broken file, not a long note
BLOCK = 1 << 20
Progress = Callable[[int], None]


@dataclass
class RawChunk:
    """Rows as read: ``originals[i]`` is the row, ``lines[i]`` the line where it starts."""

    header: list[str]
    originals: list[list[str]]  # CSV fields, or the one JSON line, for the rejects file
    lines: list[int]
    problems: list[tuple[int, str, str]]  # (position, field, reason) found while reading
    records: list[dict[str, str | None]] | None = None  # JSON Lines objects

    def __len__(self) -> int:
        return len(self.lines)

    def frame(self) -> pd.DataFrame:
        """The rows as a frame of text columns (built column-wise: fast for large chunks)."""
        if self.records is not None:
            return pd.DataFrame.from_records(self.records).astype(object)
        width = len(self.header)
        rows = [r if len(r) == width else (r + [""] * width)[:width] for r in self.originals]
        columns = list(zip(*rows, strict=True)) if rows else [()] * width
        return pd.DataFrame(
            {h: pd.Series(c, dtype=object) for h, c in zip(self.header, columns, strict=True)}
        )


def python_encoding(encoding: str) -> str:
    """UTF-8 files may start with a byte-order mark (Excel writes one); read past it."""
    name = codecs.lookup(encoding).name
    return "utf-8-sig" if name == "utf-8" else name


def check_encoding(path: Path, encoding: str) -> None:
    """Decode the whole file once; the first undecodable byte is reported with its line."""
    decoder = codecs.getincrementaldecoder(python_encoding(encoding))()
    offset, newlines = 0, 0
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                line = newlines + block.count(b"\n", 0, max(exc.start, 0)) + 1
                raise ImportRowError(
                    line,
                    "encoding",
                    f"byte 0x{block[exc.start]:02x} at offset {offset + exc.start} is not "
                    f"{encoding}; set encoding in the mapping (for example latin-1)",
                ) from exc
            offset += len(block)
            newlines += block.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise ImportRowError(
                newlines + 1, "encoding", f"file ends inside a {encoding} character"
            ) from exc


def read_csv(
    path: Path,
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    chunk_rows: int = 20_000,
    progress: Progress | None = None,
) -> Iterator[RawChunk]:
    """Yield chunks of rows; quoted newlines, CRLF and a BOM are handled by the csv module."""
    csv.field_size_limit(FIELD_LIMIT)
    with path.open("rb") as binary:
        text = io.TextIOWrapper(binary, encoding=python_encoding(encoding), newline="")
        reader = csv.reader(text, delimiter=delimiter)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise ImportRowError(1, "file", "is empty: no header row") from None
        except csv.Error as exc:
            raise ImportRowError(1, "file", f"header is not CSV: {exc}") from exc
        width, done = len(header), binary.tell()
        chunk = RawChunk(header, [], [], [])
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise ImportRowError(start, "file", f"is not valid CSV here: {exc}") from exc
            if row:
                if len(row) != width:
                    chunk.problems.append(
                        (len(chunk), "row", f"has {len(row)} fields, the header has {width}")
                    )
                chunk.lines.append(start)
                chunk.originals.append(row)
            start = reader.line_num + 1
            if len(chunk) >= chunk_rows:
                yield chunk
                chunk = RawChunk(header, [], [], [])
                if progress:
                    now = binary.tell()
                    progress(now - done)
                    done = now
        if len(chunk):
            yield chunk
        if progress:
            progress(binary.tell() - done)


def read_jsonl(
    path: Path,
    *,
    encoding: str = "utf-8",
    chunk_rows: int = 20_000,
    progress: Progress | None = None,
) -> Iterator[RawChunk]:
    """One JSON object per line; a line that is not an object is a problem of that row."""
    chunk = RawChunk(["row"], [], [], [], [])
    with path.open("r", encoding=python_encoding(encoding), newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if progress:
                progress(len(line.encode(encoding, errors="replace")))
            if not line.strip():
                continue
            position = len(chunk)
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                value = {}
                chunk.problems.append((position, "row", f"is not JSON: {exc.msg}"))
            if not isinstance(value, dict):
                chunk.problems.append((position, "row", "is not a JSON object"))
                value = {}
            assert chunk.records is not None
            chunk.records.append({str(k): _text(v) for k, v in value.items()})
            chunk.lines.append(number)
            chunk.originals.append([line.rstrip("\r\n")])
            if len(chunk) >= chunk_rows:
                yield chunk
                chunk = RawChunk(["row"], [], [], [], [])
    if len(chunk):
        yield chunk


def _text(value: object) -> str | None:
    """JSON values as text, so CSV and JSONL go through the same checks."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)
