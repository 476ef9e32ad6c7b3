"""Workflow tables, on the API database's declarative base (created with it).

``case_events`` is append-only like the audit log: the ORM refuses to flush a change to
an existing row and a trigger refuses ``UPDATE`` / ``DELETE`` on SQLite and PostgreSQL.
Dates a person states (received, accepted, closed) are ISO days; instants are ISO UTC.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, now


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    title: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # lead / finding / complaint
    source_id: Mapped[str] = mapped_column(String(200), index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    assignee: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    received: Mapped[str] = mapped_column(String(10), index=True)
    accepted: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    closed: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    # Denormalised from graph.deadlines on every transition: the board and the overdue
    # report filter and sort on them in SQL.
    accept_due: Mapped[str] = mapped_column(String(10), index=True)
    close_due: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    rejected_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(10), nullable=True)
    amount_involved: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    amount_recovered: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The one sentence about the outcome the handler chose to publish: all a resident who
    # reported online sees of a closed case (public/, its progress page).
    public_outcome: Mapped[str | None] = mapped_column(Text, nullable=True)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    extension_requested_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    extension_requested_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    extension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    opened_by: Mapped[str] = mapped_column(String(100))
    opened_at: Mapped[str] = mapped_column(String(40), default=now)
    updated_at: Mapped[str] = mapped_column(String(40), default=now)
    # Optimistic locking: two processes changing one case at once, the second gets a 409.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CaseLink(Base):
    """What a case is about: leads, findings, complaints (registered or loaded)."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "kind", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # lead / finding / complaint / person
    ref: Mapped[str] = mapped_column(String(200), index=True)
    added_at: Mapped[str] = mapped_column(String(40), default=now)
    added_by: Mapped[str] = mapped_column(String(100))


class CaseEvent(Base):
    """The case's timeline: every transition and change, who, when, why (append-only)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[str] = mapped_column(String(40), default=now)
    on: Mapped[str | None] = mapped_column(String(10), nullable=True)  # the day it took effect
    user_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Disposition(Base):
    """One person's disposition in a case (处理处分)."""

    __tablename__ = "dispositions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(40), index=True)
    person_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    measure: Mapped[str | None] = mapped_column(String(20), nullable=True)
    decided: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[str] = mapped_column(String(40), default=now)


class Intake(Base):
    """A complaint registered by staff (letter, visit, phone). The reporter's identity is
    kept here only: never in the graph, returned only to complaint handlers."""

    __tablename__ = "complaint_intake"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    received: Mapped[str] = mapped_column(String(10), index=True)
    summary: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20))
    reporter_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reporter_phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reporter_address: Mapped[str | None] = mapped_column(Text, nullable=True)
    anonymous: Mapped[bool] = mapped_column(default=False)
    registered_by: Mapped[str] = mapped_column(String(100))
    registered_at: Mapped[str] = mapped_column(String(40), default=now)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    merged_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Suggestion(Base):
    """A suggested ABOUT link of a registered complaint, and the handler's decision."""

    __tablename__ = "complaint_suggestions"
    __table_args__ = (UniqueConstraint("intake_id", "label", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("complaint_intake.id"), index=True)
    label: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    matched: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(10), default="suggested")
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class PublicReceipt(Base):
    """A receipt code handed to a resident who reported online (public/): only its SHA-256
    is kept. Identical reports (same village, same normalised text) within a window share
    one complaint; each reporter still gets a code of their own."""

    __tablename__ = "public_receipts"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(String(40), index=True)
    text_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[str] = mapped_column(String(40), default=now, index=True)
