"""Pictures to bytes: a palette PNG (stills, the leg-angle pictures)."""

from __future__ import annotations

import io

from PIL import Image


def encode_png(image: Image.Image) -> bytes:
    # A palette PNG: the flat style has few colours, and 128 of them keep the anti-aliased edges
    # smooth at about a third of the RGB size.
    buffer = io.BytesIO()
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        buffer, format="PNG", optimize=True
    )
    return buffer.getvalue()
