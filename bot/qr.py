"""QR codes for unit and invite links, as SVG and PNG (segno; no network, no Pillow).

The staff API hands them out; the public app serves a unit's own code for its posters.
"""

from __future__ import annotations

import io

import segno

# Error correction "M" survives a printed poster's wear; a border of 4 modules is the standard's.
_ERROR = "m"
_BORDER = 4


def _make(url: str) -> segno.QRCode:
    if not url or len(url) > 1000:
        raise ValueError("a QR code holds a link of 1 to 1000 characters")
    return segno.make_qr(url, error=_ERROR)


def qr_svg(url: str, *, scale: int = 8, title: str | None = None) -> str:
    """The link as an SVG document (black on white, sized by `scale` pixels a module)."""
    buffer = io.BytesIO()
    _make(url).save(
        buffer,
        kind="svg",
        scale=scale,
        border=_BORDER,
        xmldecl=False,
        title=title,
        dark="#000",
        light="#fff",
    )
    return buffer.getvalue().decode()


def qr_png(url: str, *, scale: int = 10) -> bytes:
    """The link as a PNG image."""
    buffer = io.BytesIO()
    _make(url).save(buffer, kind="png", scale=scale, border=_BORDER, dark="#000", light="#fff")
    return buffer.getvalue()
