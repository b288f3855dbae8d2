"""Draws the Teams app icons (run once; the PNGs are committed).

    .venv/bin/python channels/teams/app/draw_icons.py

Teams asks for two icons (learn.microsoft.com, "Teams app icons"):
- color.png, 192x192, full colour: the app's own background colour with the
  symbol inside the central safe area;
- outline.png, 32x32, white on a transparent background, nothing else.

The symbol is a signpost: a pole with two direction boards. Drawn large and
reduced with a high-quality filter so the small icon is smooth.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
ACCENT = (0x1F, 0x5C, 0x99)   # the manifest's accentColor: #1F5C99
WHITE = (255, 255, 255, 255)
SCALE = 8  # draw at 8x, then reduce


def _signpost(draw: ImageDraw.ImageDraw, size: int, outline_only: bool) -> None:
    """The signpost within a ``size`` square; ``outline_only`` draws strokes, not fills."""
    s = size / 100.0
    pole = [(46 * s, 14 * s), (54 * s, 90 * s)]
    upper = [(22 * s, 22 * s), (70 * s, 22 * s), (82 * s, 33 * s), (70 * s, 44 * s), (22 * s, 44 * s)]
    lower = [(78 * s, 52 * s), (30 * s, 52 * s), (18 * s, 63 * s), (30 * s, 74 * s), (78 * s, 74 * s)]
    width = max(int(7 * s), 1)
    if outline_only:
        draw.rectangle(pole, fill=WHITE)
        for board in (upper, lower):
            draw.line(board + [board[0]], fill=WHITE, width=width, joint="curve")
    else:
        draw.rectangle(pole, fill=WHITE)
        for board in (upper, lower):
            draw.polygon(board, fill=WHITE)
        base = [(34 * s, 88 * s), (66 * s, 94 * s)]
        draw.rounded_rectangle(base, radius=3 * s, fill=WHITE)


def colour_icon() -> Image.Image:
    big = 192 * SCALE
    image = Image.new("RGBA", (big, big), ACCENT + (255,))
    symbol = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    # Teams crops colour icons to a rounded square: keep the symbol in the middle 120 px.
    inner = int(120 * SCALE)
    layer = Image.new("RGBA", (inner, inner), (0, 0, 0, 0))
    _signpost(ImageDraw.Draw(layer), inner, outline_only=False)
    offset = (big - inner) // 2
    symbol.paste(layer, (offset, offset), layer)
    image.alpha_composite(symbol)
    return image.resize((192, 192), Image.Resampling.LANCZOS).convert("RGB")


def outline_icon() -> Image.Image:
    big = 32 * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    _signpost(ImageDraw.Draw(image), big, outline_only=True)
    small = image.resize((32, 32), Image.Resampling.LANCZOS)
    # White only: every pixel is white with some transparency (resampling can tint edges).
    alpha = small.getchannel("A")
    white = Image.new("RGBA", (32, 32), WHITE)
    white.putalpha(alpha)
    return white


def main() -> None:
    colour_icon().save(HERE / "color.png", optimize=True)
    outline_icon().save(HERE / "outline.png", optimize=True)
    print(f"wrote {HERE / 'color.png'} and {HERE / 'outline.png'}")


if __name__ == "__main__":
    main()
