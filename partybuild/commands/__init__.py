"""Headless subcommands, one module per feature; ``partybuild.cli`` parses and dispatches here.

Each module exposes ``run_<name>(args) -> int`` and raises :class:`partybuild.cli.CliError` with
the exit code of DESIGN.md (1 invalid content, 2 unusable file, database or argument).
"""
