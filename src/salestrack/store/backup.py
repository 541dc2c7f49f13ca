"""Back up and restore a whole store with each engine's own tools.

SQLite uses its online backup API (consistent while the app runs); PostgreSQL uses ``pg_dump``
in custom format and ``pg_restore --clean``. When the URL pins a schema through
``options=-csearch_path=...`` only that schema is dumped and restored.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy.engine import URL, make_url

from salestrack.errors import ConfigurationError


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise ConfigurationError("an in-memory SQLite store cannot be backed up")
    return url.database


def _libpq(url: URL) -> tuple[str, list[str]]:
    """A libpq connection string and the ``--schema`` flags for the URL's search path."""
    options = str(url.query.get("options", ""))
    schemas = [
        part.split("=", 1)[1]
        for part in unquote(options).split()
        if part.startswith("-csearch_path=")
    ]
    plain = url.set(drivername="postgresql").difference_update_query(["options"])
    flags = [f"--schema={s}" for s in schemas]
    return plain.render_as_string(hide_password=False), flags


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ConfigurationError(f"{name} is not installed; install the PostgreSQL client tools")
    return found


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ConfigurationError(f"{Path(args[0]).name} failed: {result.stderr.strip()}")


def backup(database_url: str, file: Path) -> None:
    """Write a consistent copy of the store to ``file``."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(file)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    dsn, flags = _libpq(url)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={file}", *flags, dsn])


def restore(database_url: str, file: Path) -> None:
    """Replace the store's contents with the backup in ``file`` (stop the app first)."""
    if not file.is_file():
        raise ConfigurationError(f"{file} is not a backup file")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(file)
        target = sqlite3.connect(_sqlite_path(url))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    dsn, flags = _libpq(url)
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *flags,
            f"--dbname={dsn}",
            str(file),
        ]
    )
