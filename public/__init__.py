"""The public side (一站式查询、一键式举报): a separate process, started by ``guanxi public``,
that serves residents the published part of the graph and takes their reports.

It reads the graph only through the publication policy (:mod:`public.policy`), writes
nothing but complaints (through the case workflow's intake, :mod:`api.workflow.intake`,
its one declared seam into ``api``), holds no API key, and shares no route with the
investigators' API (DESIGN.md decision 13; docs/public.md).
"""
