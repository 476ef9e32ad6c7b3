"""The one thing the public site writes: a resident's report, as a Complaint through the
case workflow's intake (:meth:`api.workflow.intake.IntakeService.register_online`), and the
receipt code that follows it.

The code is 120 random bits (``secrets.token_urlsafe(15)``) shown once; the database keeps
``HMAC(secret, code)`` only, so a copy of the database does not give out codes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Any

from api.workflow.intake import IntakeService

_SPACE = re.compile(r"\s+")


class Reports:
    def __init__(self, intake: IntakeService, secret: bytes, collapse_days: int = 7) -> None:
        self.intake = intake
        self._secret = secret
        self.collapse_days = collapse_days

    def _hash(self, code: str) -> str:
        return hmac.new(self._secret, f"receipt|{code}".encode(), hashlib.sha256).hexdigest()

    def file(
        self,
        *,
        village: str,
        text: str,
        item: str | None,
        name: str | None,
        phone: str | None,
        today: str | None = None,
    ) -> tuple[str, bool]:
        """File a report; returns its receipt code and whether it joined an identical one."""
        day = today or dt.date.today().isoformat()
        summary = text.strip() + (f"\n【所涉事项】{item}" if item else "")
        same = _SPACE.sub(" ", f"{village}|{text}|{item or ''}".strip().lower())
        text_hash = hashlib.sha256(same.encode()).hexdigest()
        since = (dt.date.fromisoformat(day) - dt.timedelta(days=self.collapse_days)).isoformat()
        code = secrets.token_urlsafe(15)
        _, collapsed = self.intake.register_online(
            division_code=village,
            received=day,
            summary=summary,
            reporter_name=name or None,
            reporter_phone=phone or None,
            code_hash=self._hash(code),
            text_hash=text_hash,
            collapse_since=since,
        )
        return code, collapsed

    def progress(self, code: str) -> dict[str, Any] | None:
        code = code.strip()
        if not code or len(code) > 64:
            return None
        return self.intake.progress(self._hash(code))
