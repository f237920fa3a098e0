"""Headless subcommands, one module per feature; ``partybuild.cli`` parses and dispatches here.

Each module exposes ``run_<name>(args) -> int`` and raises :class:`partybuild.cli.CliError` with
the exit code of DESIGN.md (1 invalid content, 2 unusable file, database or argument).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path


def output_target(path: str | Path) -> Path:
    """The file a command will write, refused up front (exit 2, one line) when it cannot be:
    a missing or read-only folder, a read-only file, a folder in its place. The write itself
    is atomic (:mod:`partybuild.outputs`); this only saves doing the work for nothing."""
    from partybuild.cli import EXIT_UNUSABLE, CliError
    from partybuild.outputs import OutputError
    from partybuild.outputs.atomic import check_target, resolve_target

    target = Path(path)
    try:
        check_target(resolve_target(target))
    except OutputError as exc:
        raise CliError(str(exc), EXIT_UNUSABLE) from exc
    return target


@contextlib.contextmanager
def record_output_errors() -> Iterator[None]:
    """Around writing a file from one record: a record that is not there is exit 1, a file that
    cannot be written (``outputs.OutputError``, one Chinese line already) exit 2."""
    from partybuild.cli import EXIT_INVALID, EXIT_UNUSABLE, CliError
    from partybuild.services.errors import RecordNotFound

    try:
        yield
    except RecordNotFound as exc:
        raise CliError(str(exc), EXIT_INVALID) from exc
    except OSError as exc:
        raise CliError(str(exc), EXIT_UNUSABLE) from exc
