"""Helpers shared by the listings tests."""

from __future__ import annotations

import io

from PIL import Image


def png_bytes(*, size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color=(200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()
