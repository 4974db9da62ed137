"""Raster files (JPEG, PNG, multi-page TIFF): open, check, decode one frame.

Pillow decodes lazily, so size and frame count are checked before any pixel is decoded: a
200-megapixel "decompression bomb" is refused without ever being allocated.
"""
from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ocr.errors import CorruptDocument, EmptyDocument, TooLarge
from ocr.options import ReadOptions

# our own max_pixels check replaces Pillow's global bomb guard, which would fire first
# with a less helpful message (and is a process-wide setting we should not depend on)
Image.MAX_IMAGE_PIXELS = None


def open_image(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as e:
        raise CorruptDocument("The image file is damaged and cannot be opened.") from e


def frame_count(data: bytes, options: ReadOptions) -> int:
    """How many pages the image holds, after checking every page's size."""
    img = open_image(data)
    n = getattr(img, "n_frames", 1)
    if n < 1:
        raise EmptyDocument("The image file holds no pages.")
    if n > options.max_pages:
        raise TooLarge(f"The file has {n} pages; at most {options.max_pages} are read.")
    for i in range(n):
        try:
            img.seek(i)
        except (EOFError, OSError) as e:
            raise CorruptDocument(f"Page {i + 1} of the image file is damaged.") from e
        w, h = img.size
        if w < 1 or h < 1:
            raise CorruptDocument(f"Page {i + 1} of the image file has no pixels.")
        if w * h > options.max_pixels:
            raise TooLarge(
                f"Page {i + 1} is {w}×{h} pixels ({w * h / 1e6:.0f} MP); the limit is {options.max_pixels / 1e6:.0f} MP."
            )
    return n


def decode_frame(data: bytes, index: int) -> np.ndarray:
    """Frame `index` as upright RGB: EXIF orientation (phone photos) applied, transparency
    flattened onto white paper, 16-bit and CMYK scans brought to 8-bit RGB."""
    img = open_image(data)
    try:
        img.seek(index)
        img.load()
        img = ImageOps.exif_transpose(img)
        if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
            rgba = img.convert("RGBA")
            paper = Image.new("RGB", rgba.size, "white")
            paper.paste(rgba, mask=rgba.split()[-1])
            img = paper
        elif img.mode in ("I;16", "I;16B", "I;16L", "I"):
            arr = np.asarray(img, dtype=np.float32)
            hi = float(arr.max()) or 1.0
            img = Image.fromarray((arr / hi * 255).astype(np.uint8), "L")
        rgb = img.convert("RGB")
    except (OSError, ValueError, SyntaxError, EOFError) as e:
        raise CorruptDocument(f"Page {index + 1} of the image file is damaged and cannot be decoded.") from e
    return np.asarray(rgb)
