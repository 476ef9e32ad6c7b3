"""Escaping for the HTML pages guanxi exports, and the vis-network copy they inline.

Exported pages are opened on air-gapped machines and must never reach outside. Besides
loading nothing from elsewhere, they are kept free of URL text altogether, so a test can
check it literally: text and attributes escape ``/`` as ``&#x2F;`` (as OWASP's HTML
encoding does), JSON inside ``<script>`` escapes it as ``\\/``, and the inlined vis-network
library has ``://`` written ``:\\/\\/``. In the library that sequence only occurs inside
comments (licence links) and string literals (the SVG namespace, an error message), where
``\\/`` is the same character, so the code runs unchanged.

>>> esc('<a href="https://x">')
'&lt;a href=&quot;https:&#x2F;&#x2F;x&quot;&gt;'
>>> script_json({"u": "https://x</script>"})
'{"u": "https:\\\\/\\\\/x\\\\u003c\\\\/script\\\\u003e"}'
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

VIS_VERSION = "9.1.2"


def esc(value: Any) -> str:
    """Text for HTML content or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True).replace("/", "&#x2F;")


def script_json(value: Any) -> str:
    """JSON safe to place inside ``<script>``: no ``</script>``, no ``<!--``, no URL text."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    for ch, sub in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("/", "\\/")):
        text = text.replace(ch, sub)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def vis_dir() -> Path:
    """Where the installed pyvis package keeps vis-network (JS and CSS)."""
    import pyvis

    return Path(pyvis.__file__).parent / "templates" / "lib" / f"vis-{VIS_VERSION}"


@lru_cache(maxsize=1)
def vis_js() -> str:
    """vis-network from the installed pyvis package, ready to inline."""
    text = (vis_dir() / "vis-network.min.js").read_text(encoding="utf-8")
    if "</script" in text.lower():  # would end the inline <script> early
        raise RuntimeError("vis-network.min.js cannot be inlined: it contains </script")
    return text.replace("://", ":\\/\\/")


@lru_cache(maxsize=1)
def vis_css() -> str:
    """vis-network's stylesheet from the installed pyvis package (its images are data URIs)."""
    text = (vis_dir() / "vis-network.css").read_text(encoding="utf-8")
    if "</style" in text.lower() or "://" in text or "@import" in text:
        raise RuntimeError("vis-network.css refers outside or cannot be inlined")
    return text
