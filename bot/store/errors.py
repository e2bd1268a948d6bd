"""The store's one expected failure, kept free of heavy imports so the command line can catch
it without loading SQLAlchemy first."""

from __future__ import annotations


class DatabaseProblem(Exception):
    """The database cannot be used as it is: its one-line message names the problem and what
    to do about it (the command line prints it and exits 2, without a traceback)."""


def storage_error(exc: BaseException | None) -> bool:
    """Whether `exc` is the database's doing (read-only, down, its file gone), not a bug."""
    from sqlalchemy.exc import SQLAlchemyError  # here: the command line imports this early

    return isinstance(exc, SQLAlchemyError | DatabaseProblem | OSError)
