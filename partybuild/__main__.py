"""``python -m partybuild`` and the ``partybuild`` console script."""

from __future__ import annotations

import sys

from partybuild.cli import main as _cli_main


def main() -> None:
    sys.exit(_cli_main(sys.argv[1:]))


if __name__ == "__main__":
    main()
