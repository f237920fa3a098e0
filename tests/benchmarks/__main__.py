"""``python -m tests.benchmarks [NAME …]``: run the benchmarks and print their figures.

Every ``bench_<name>.py`` module beside this file with a ``main()`` is a benchmark called
``<name>`` (underscores as dashes).
"""

from __future__ import annotations

import importlib
import pkgutil
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
    for name in names:
        if name not in benchmarks:
            print(f"unknown benchmark {name}; known: {', '.join(benchmarks)}", file=sys.stderr)
            return 2
        benchmarks[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
