"""SQLite's writer lock is queued in-process; no way of ending a transaction may leak it."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from salestrack.store.engine import make_engine, reading

# Long enough that a leaked writer lock would hold the other thread far beyond the join below.
BUSY_SECONDS = 60
JOIN_SECONDS = 10


def _engine(tmp_path: Path) -> Engine:
    engine = make_engine(
        f"sqlite:///{tmp_path / 'queue.db'}", connect_args={"timeout": BUSY_SECONDS}
    )
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    return engine


def _write_in_another_thread(engine: Engine) -> bool:
    """Whether another thread can write now (it would wait out the timeout on a leak)."""
    done = threading.Event()

    def write() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (2)"))
        done.set()

    worker = threading.Thread(target=write, daemon=True)
    worker.start()
    worker.join(JOIN_SECONDS)
    return done.is_set()


def _leak_a_session(engine: Engine) -> None:
    session = Session(engine)
    session.execute(text("INSERT INTO t VALUES (1)"))
    del session  # never closed: the pool takes its connection back when it is collected


def test_a_session_dropped_without_close_frees_the_writer(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    _leak_a_session(engine)
    gc.collect()
    assert _write_in_another_thread(engine)
    with engine.connect() as conn:  # the dropped session's insert was rolled back
        assert conn.execute(text("SELECT n FROM t")).scalars().all() == [2]
    engine.dispose()


def test_commit_rollback_and_close_each_free_the_writer(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        conn.commit()
    assert _write_in_another_thread(engine)
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO t VALUES (3)"))
        conn.rollback()
    assert _write_in_another_thread(engine)
    conn = engine.connect()
    conn.execute(text("INSERT INTO t VALUES (4)"))
    conn.close()  # closing with the transaction open rolls it back
    assert _write_in_another_thread(engine)
    with engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT n FROM t")).scalars()) == [1, 2, 2, 2]
    engine.dispose()


def test_threads_writing_at_once_all_commit(tmp_path: Path) -> None:
    """Eight threads, 50 transactions each: every one commits, none sees 'database is locked'."""
    engine = _engine(tmp_path)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(50):
                with engine.begin() as conn:
                    conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n * 100 + i})
        except BaseException as exc:  # reported below, with the thread's result
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(DISTINCT n) FROM t")).scalar_one() == 400
    engine.dispose()


def test_a_reader_runs_beside_an_open_write(tmp_path: Path) -> None:
    """The warehouse sync reads through ``reading``: it sees what is committed at once instead
    of queueing behind a write transaction for the write lock."""
    engine = _engine(tmp_path)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
    seen: list[list[int]] = []

    def read() -> None:
        with reading(engine) as conn:
            seen.append(list(conn.execute(text("SELECT n FROM t")).scalars()))

    with engine.begin() as writer:  # held open while the reader runs
        writer.execute(text("INSERT INTO t VALUES (2)"))
        worker = threading.Thread(target=read, daemon=True)
        worker.start()
        worker.join(JOIN_SECONDS)
        assert seen == [[1]]  # done while the write is open, without its uncommitted row
    engine.dispose()
