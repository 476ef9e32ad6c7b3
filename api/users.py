"""Users and their API keys: create, list, revoke, and check a presented key.

A key is ``gx_<key_id>_<secret>``: 12 hex characters that name the row, then 32 random
bytes (``secrets.token_urlsafe(32)``). The database keeps the key id, a random per-key
salt and ``sha256(salt + key)``; the key itself is shown once, when it is made. A slow
password hash (scrypt) protects *guessable* secrets; a 256-bit random key cannot be
guessed, so one salted SHA-256 is as strong and keeps authentication under a millisecond.
Digests are compared in constant time.

>>> db = Database("sqlite://"); db.create()
>>> key = add_user(db, "wang", Role.INVESTIGATOR, ["430422"])
>>> authenticate(db, key).divisions
('430422',)
>>> authenticate(db, key[:-1] + "x") is None
True
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select

from api.db import ApiKey, Database, User, now
from api.policy import Role
from graph.errors import InvalidValue

KEY_PREFIX = "gx"


@dataclass(frozen=True)
class Principal:
    """The caller of a request: who, in which role, over which divisions."""

    name: str
    role: Role
    divisions: tuple[str, ...]
    key_id: str = ""
    rate_per_second: float | None = None

    @property
    def unrestricted(self) -> bool:
        return "" in self.divisions


def _digest(salt: str, key: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + key.encode()).hexdigest()


def new_key() -> tuple[str, str, str, str]:
    """A fresh key and what the database keeps of it: ``(key, key_id, salt, digest)``."""
    key_id = secrets.token_hex(6)
    key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    salt = secrets.token_hex(16)
    return key, key_id, salt, _digest(salt, key)


def normalise_divisions(role: Role, divisions: list[str]) -> list[str]:
    """Check a user's division scope: code prefixes of 2-12 digits; '' (all) for admins only."""
    out: list[str] = []
    for d in divisions or []:
        d = d.strip()
        if d == "" or d.lower() == "all":
            if role is not Role.ADMIN:
                raise InvalidValue(
                    "bad_division", "only admins may have every division ('' / all) in scope", d
                )
            out.append("")
        elif d.isdigit() and 2 <= len(d) <= 12:
            out.append(d)
        else:
            raise InvalidValue("bad_division", f"{d!r} is not a division code prefix", d)
    if not out:
        raise InvalidValue("bad_division", "give at least one division (--division)", divisions)
    return sorted(set(out))


def add_user(
    db: Database,
    name: str,
    role: Role | str,
    divisions: list[str],
    rate_per_second: float | None = None,
) -> str:
    """Create a user with one API key; return the key (it is not stored and not shown again)."""
    role = Role(role)
    divs = normalise_divisions(role, divisions)
    if not name.strip():
        raise InvalidValue("empty", "a user needs a name", name)
    key, key_id, salt, digest = new_key()
    with db.session() as s:
        if s.scalar(select(User).where(User.name == name)) is not None:
            raise InvalidValue("exists", f"user {name!r} exists; revoke it first", name)
        user = User(name=name, role=role.value, divisions=divs, rate_per_second=rate_per_second)
        s.add(user)
        s.flush()
        s.add(ApiKey(key_id=key_id, user_id=user.id, salt=salt, digest=digest))
    return key


def list_users(db: Database) -> list[dict[str, Any]]:
    with db.session() as s:
        users = s.scalars(select(User).order_by(User.name)).all()
        return [
            {
                "name": u.name,
                "role": u.role,
                "divisions": list(u.divisions),
                "created_at": u.created_at,
                "revoked_at": u.revoked_at,
            }
            for u in users
        ]


def revoke_user(db: Database, name: str) -> bool:
    """Revoke a user and every key; the name is freed for a new user. False if unknown."""
    with db.session() as s:
        user = s.scalar(select(User).where(User.name == name, User.revoked_at.is_(None)))
        if user is None:
            return False
        stamp = now()
        user.revoked_at = stamp
        # Keep the row for the audit trail under a name that frees the original.
        user.name = f"{name}#revoked-{stamp}"
        for k in s.scalars(select(ApiKey).where(ApiKey.user_id == user.id)).all():
            k.revoked_at = stamp
    return True


def authenticate(db: Database, presented: str) -> Principal | None:
    """The principal a key belongs to, or None for an unknown, malformed or revoked key.

    Every request comes through here, so it is one Core ``SELECT`` (no ORM session and no
    objects: a fifth of the CPU), read afresh each time so that a revocation holds at once.
    """
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1]:
        return None
    with db.engine.connect() as conn:
        row = conn.execute(_BY_KEY_ID, {"key_id": parts[1]}).first()
    if row is None:
        # Spend the same time as a real comparison: no timing signal for unknown ids.
        hmac.compare_digest(_digest("00" * 16, presented), "0" * 64)
        return None
    if not hmac.compare_digest(_digest(row.salt, presented.strip()), row.digest):
        return None
    if row.key_revoked_at is not None or row.user_revoked_at is not None:
        return None
    return Principal(
        name=row.name,
        role=Role(row.role),
        divisions=tuple(row.divisions),
        key_id=row.key_id,
        rate_per_second=row.rate_per_second,
    )


_keys, _users = ApiKey.__table__, User.__table__
_BY_KEY_ID = (
    select(
        _keys.c.key_id,
        _keys.c.salt,
        _keys.c.digest,
        _keys.c.revoked_at.label("key_revoked_at"),
        _users.c.name,
        _users.c.role,
        _users.c.divisions,
        _users.c.rate_per_second,
        _users.c.revoked_at.label("user_revoked_at"),
    )
    .join(_users, _users.c.id == _keys.c.user_id)
    .where(_keys.c.key_id == bindparam("key_id"))
)
