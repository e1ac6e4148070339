"""``python -m kexie``: the same as the ``kexie`` console script."""

from __future__ import annotations

from kexie.cli import main

main()
