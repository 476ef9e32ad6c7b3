"""Opaque entity references: how a caller who may not see an ID number still navigates.

Every node the API returns carries ``ref``, ``~`` followed by the node's label and natural
key encrypted with AES-SIV under the server's secret. AES-SIV is deterministic (the same
node always has the same ref, so refs can be bookmarked and compared), authenticated (a
forged or altered ref is refused) and reveals nothing of the key. Endpoints take either a
ref or a natural key; a caller who already knows a full ID number may use it, but the API
never shows one to a role that may not see it.

>>> codec = RefCodec(b"0" * 32)
>>> ref = codec.encode("Person", "43042219900101123X")
>>> ref.startswith("~") and "4304" not in ref
True
>>> codec.decode(ref)
('Person', '43042219900101123X')
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from collections import OrderedDict
from pathlib import Path
from threading import Lock
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

REF_MARK = "~"


class BadRef(ValueError):
    pass


class RefCodec:
    def __init__(self, secret: bytes, cache_size: int = 200_000) -> None:
        # AES-SIV takes a double-length key: 64 bytes for AES-256.
        self._siv = AESSIV(hashlib.sha512(b"guanxi-ref\x00" + secret).digest())
        # Refs are deterministic, and a neighbourhood names each node once per relationship
        # end: remembering recent ones saves most of the encryption.
        self._cache: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()

    def encode(self, label: str, key: Any) -> str:
        # Looked up by the key itself (its type too: 1 and True encode differently); the
        # JSON text is made only on a miss, as most look-ups hit.
        memo: tuple[Any, ...] = (label, type(key), key)
        try:
            with self._lock:
                hit = self._cache.get(memo)
        except TypeError:  # an unhashable key (a list): memoised by its text
            memo = (label, json.dumps(key, ensure_ascii=False))
            with self._lock:
                hit = self._cache.get(memo)
        if hit is not None:
            return hit
        plain = json.dumps([label, key], ensure_ascii=False, separators=(",", ":"))
        token = self._siv.encrypt(plain.encode(), None)
        ref = REF_MARK + base64.urlsafe_b64encode(token).rstrip(b"=").decode()
        with self._lock:
            self._cache[memo] = ref
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return ref

    def decode(self, ref: str) -> tuple[str, Any]:
        if not ref.startswith(REF_MARK):
            raise BadRef("not a ref")
        text = ref[len(REF_MARK) :]
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            label, key = json.loads(self._siv.decrypt(raw, None))
        except (InvalidTag, ValueError, TypeError) as e:
            raise BadRef("unknown or altered ref") from e
        return str(label), key


def is_ref(text: str) -> bool:
    return text.startswith(REF_MARK)


def load_secret(explicit: str | None, data_dir: Path) -> bytes:
    """The configured secret, or one generated once into the data directory (mode 0600)."""
    if explicit:
        return explicit.encode()
    path = data_dir / "api-secret"
    if path.exists():
        return path.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(value)
    return value
