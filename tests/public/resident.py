"""Helpers for the public site's tests: a client that browses like a resident, and the
answer to the report form's challenge read off the page."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

_DIGITS = "零一二三四五六七八九"


def from_chinese(s: str) -> int:
    """The inverse of public.abuse.chinese for 0..99."""
    if "十" not in s:
        return _DIGITS.index(s)
    tens, _, ones = s.partition("十")
    return (_DIGITS.index(tens) if tens else 1) * 10 + (_DIGITS.index(ones) if ones else 0)


def solve(page: str) -> tuple[str, str]:
    """The challenge's answer and token on a report form."""
    m = re.search(r"验证题：(.+?)(加|减)(.+?)等于几？", page)
    assert m, "no challenge on the page"
    a, b = from_chinese(m.group(1)), from_chinese(m.group(3))
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token
    return str(a + b if m.group(2) == "加" else a - b), html.unescape(token.group(1))


@dataclass
class Resident:
    client: TestClient

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params)

    def post(self, path: str, form: dict[str, str]) -> Any:
        return self.client.post(path, data=form)

    def report(self, village: str, text: str, item: str = "", **extra: str) -> Any:
        page = self.get("/report", village=village, item=item).text
        answer, token = solve(page)
        form = {"village": village, "text": text, "answer": answer, "token": token, **extra}
        if item:
            form["item"] = item
        return self.post("/report", form)


def receipt_of(page: str) -> str:
    m = re.search(r'<output id="receipt">([^<]+)</output>', page)
    assert m, page
    return html.unescape(m.group(1))
