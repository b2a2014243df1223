"""`python -m gestapeld`: the same as the `gestapeld` command."""

from .cli import main

raise SystemExit(main())
