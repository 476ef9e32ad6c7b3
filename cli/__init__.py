"""The ``guanxi`` command line: where the graph engine and the API are put together.

It lives outside ``graph`` because it wires the API (``serve``, ``user``, the demo), and
``graph`` never imports ``api``.
"""
