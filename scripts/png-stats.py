#!/usr/bin/env python3
"""Prints "WIDTHxHEIGHT colors=N" for a PNG, so tests can check a rendering is not blank."""
import sys
from PIL import Image
img = Image.open(sys.argv[1]).convert("RGB")
colors = img.getcolors(maxcolors=1 << 20) or []
print(f"{img.width}x{img.height} colors={len(colors)}")
