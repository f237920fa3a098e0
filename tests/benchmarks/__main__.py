"""``python -m tests.benchmarks [NAME …]``: run the benchmarks and print their figures.

Every ``bench_<name>.py`` module beside this file with a ``main()`` is a benchmark called
``<name>`` (underscores as dashes).
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def discover() -> dict[str, Callable[[], None]]:
    found = {}
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("bench_"):
            module = importlib.import_module(f"tests.benchmarks.{info.name}")
            found[info.name[len("bench_") :].replace("_", "-")] = module.main
    return dict(sorted(found.items()))


def main(argv: list[str]) -> int:
    benchmarks = discover()
    names = argv or list(benchmarks)
    unknown = [n for n in names if n not in benchmarks]
    if unknown:
        print(f"unknown benchmark {unknown[0]}; known: {', '.join(benchmarks)}", file=sys.stderr)
        return 2
    if len(names) == 1:
        benchmarks[names[0]]()
        return 0
    # Each in a process of its own: fair peak-memory figures, and no Qt application type
    # (QGuiApplication for printing, QApplication for pages) carried from one to the next.
    failed = 0
    for name in names:
        failed |= subprocess.run([sys.executable, "-m", "tests.benchmarks", name]).returncode
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
