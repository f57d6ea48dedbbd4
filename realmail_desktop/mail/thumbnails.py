"""Thumbnails of picture attachments (Pillow), with the decompression-bomb guard on; junk gives a reason, not an error.

Blocking: call `make_thumbnail` in a worker thread. The image size is checked from the header, before any pixel
is decoded, so a 20,000 × 20,000 PNG of a few kilobytes costs nothing. `thumbnail()` runs before
`exif_transpose()`: the other order decodes the full image first (about twice the time, FIELD-NOTES).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from realmail_desktop.core.logs import get_logger

_log = get_logger("mail")

THUMBNAIL_SIZE = 256
# 40 megapixels: any camera photo of today, far from what a bomb needs to hurt.
MAX_PIXELS = 40_000_000

# Pillow only warns below twice its limit; for mail attachments a bomb is an error, checked by us as well.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """A small picture (`data` in `image_format`, "PNG" or "JPEG"), or None with the `reason` why not."""

    data: bytes | None
    image_format: str = ""
    width: int = 0
    height: int = 0
    reason: str = ""


def _refused(reason: str) -> Thumbnail:
    return Thumbnail(None, reason=reason)


def make_thumbnail(data: bytes, max_size: int = THUMBNAIL_SIZE) -> Thumbnail:
    """A thumbnail at most `max_size` pixels on its longer side; never raises for bad input."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width <= 0 or height <= 0:
                return _refused("The picture has no size.")
            if width * height > MAX_PIXELS:
                return _refused(f"The picture is too large to preview ({width} × {height} pixels).")
            image.thumbnail((max_size, max_size))
            small = ImageOps.exif_transpose(image)
            has_alpha = small.mode in ("RGBA", "LA", "PA") or (small.mode == "P" and "transparency" in small.info)
            out = io.BytesIO()
            if has_alpha or image.format not in ("JPEG", "MPO"):
                small = small.convert("RGBA" if has_alpha else "RGB")
                small.save(out, "PNG", optimize=False)
                image_format = "PNG"
            else:
                small.convert("RGB").save(out, "JPEG", quality=85)
                image_format = "JPEG"
            return Thumbnail(out.getvalue(), image_format, small.width, small.height)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _refused("The picture is too large to preview.")
    except UnidentifiedImageError:
        return _refused("This is not a picture RealMail can show.")
    except Exception:  # Pillow raises many types on hostile or damaged files: OSError, SyntaxError, struct.error…
        _log.debug("could not make a thumbnail of %d bytes", len(data), exc_info=True)
        return _refused("The picture is damaged or incomplete.")
