"""Draws the PNG app icons (web/icons/*.png) from the same shapes as icon.svg: `python3 web/make-icons.py`.
Needs Pillow. Drawn at 4x and scaled down for smooth edges."""
from pathlib import Path
from PIL import Image, ImageDraw

HERE = Path(__file__).parent / "icons"
BLUE, WHITE = (79, 107, 237, 255), (255, 255, 255, 255)


def icon(size, maskable=False):
    s = size * 4 / 48  # the SVG's 48-unit box, at 4x
    img = Image.new("RGBA", (size * 4, size * 4), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if maskable:
        # Full bleed; the mark keeps to the inner 80 % safe zone.
        d.rectangle([0, 0, size * 4, size * 4], fill=BLUE)
        k, off = 0.7, size * 4 * 0.15
    else:
        d.rounded_rectangle([0, 0, size * 4 - 1, size * 4 - 1], radius=10 * s, fill=BLUE)
        k, off = 1.0, 0.0
    p = lambda x, y: (off + x * s * k, off + y * s * k)
    for a, b in [((17.5, 22), (30.5, 15.5)), ((17.5, 26), (30.5, 32.5))]:
        d.line([p(*a), p(*b)], fill=WHITE, width=round(2.6 * s * k))
    for cx, cy in [(13, 24), (35, 13), (35, 35)]:
        (x0, y0), (x1, y1) = p(cx - 5, cy - 5), p(cx + 5, cy + 5)
        d.ellipse([x0, y0, x1, y1], fill=WHITE)
    return img.resize((size, size), Image.LANCZOS)


icon(192).save(HERE / "icon-192.png")
icon(512).save(HERE / "icon-512.png")
icon(512, maskable=True).save(HERE / "icon-maskable-512.png")
