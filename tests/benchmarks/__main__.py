"""``python -m tests.benchmarks [NAME …]``: run the benchmarks and print their figures."""

from __future__ import annotations

import sys

from tests.benchmarks import bench_members_page

BENCHMARKS = {"members-page": bench_members_page.main}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
