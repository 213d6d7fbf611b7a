"""Read a QR code drawn as the desk draws it (segno's inline SVG) with an independent
decoder: the SVG's path is rasterised module by module and zxing-cpp decodes the pixels."""

from __future__ import annotations

import re

import zxingcpp

_VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
_DARK = re.compile(r'<path stroke="#000" d="([^"]+)"')
_STEP = re.compile(r"([MmHh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?")
PIXELS = 4  # per module


def modules(svg: str) -> list[list[bool]]:
    """The dark modules the SVG draws (quiet zone included): True where dark. segno draws
    each row as horizontal strokes of one module's width centred on the row (``y + .5``)."""
    box = _VIEWBOX.search(svg)
    dark = _DARK.search(svg)
    assert box and dark, "not a QR code drawn by segno"
    width, height = int(box.group(1)), int(box.group(2))
    grid = [[False] * width for _ in range(height)]
    x = y = 0.0
    for command, first, second in _STEP.findall(dark.group(1)):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:  # h: a stroke along the row
            length = float(first)
            row = int(y)
            for column in range(int(x), int(x + length)):
                grid[row][column] = True
            x += length
    return grid


def decode(svg: str) -> str:
    """The text the QR code in ``svg`` holds, as a scanner reads it."""
    grid = modules(svg)
    rows = bytearray()
    for line in grid:
        pixels = bytearray()
        for is_dark in line:
            pixels += (b"\x00" if is_dark else b"\xff") * PIXELS
        rows += bytes(pixels) * PIXELS
    height, width = len(grid) * PIXELS, len(grid[0]) * PIXELS
    image = memoryview(bytes(rows)).cast("B", (height, width))
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, "no QR code read"
    return str(found[0].text)
