"""Start partybuild from a source checkout: ``python main.py [--db PATH] [SUBCOMMAND …]``."""

from partybuild.__main__ import main

if __name__ == "__main__":
    main()
