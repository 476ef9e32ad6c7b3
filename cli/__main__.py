"""``python -m cli``: the same as the ``guanxi`` command."""

from cli.main import main

main()
