"""``python -m collabcomm COMMAND``: the command line lives in :mod:`collabcomm.pipeline.cli`."""

from __future__ import annotations

import sys

from .pipeline.cli import failure_code, main

__all__ = ["main", "failure_code"]

if __name__ == "__main__":
    sys.exit(main())
