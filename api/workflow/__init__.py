"""The handling workflow: cases (案件), their transitions and dispositions, complaints
registered by staff, and the statistics a commission reports.

Records live in the API's relational database (:mod:`api.db`: SQLite by default,
PostgreSQL for several processes or hosts); every change is one transaction that also
writes the case's event and an audit-log row, and is mirrored to the graph (Case nodes)
so Cypher and the explorer see it. Deadlines come from :mod:`graph.deadlines`.
"""
