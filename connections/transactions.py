"""Commits that need not wait for the disk, for work that is safe to do twice."""

from contextlib import contextmanager

from django.db import connection


@contextmanager
def commits_not_waiting_for_disk():
    """On PostgreSQL, this connection's commits stop waiting for the WAL to reach the disk
    (`synchronous_commit` off) until the block ends; elsewhere nothing changes.

    Only a crash of PostgreSQL itself (not of the worker) can then forget the last commits
    before it: use it only where what they recorded is redone or harmless to redo (see the
    callers: the email batches in `delivery.py`, the import's batches in `importing/`).
    The WAL reaches the disk in order, so any later ordinary commit makes them durable too.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
