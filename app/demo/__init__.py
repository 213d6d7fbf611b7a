"""The synthetic demo data set: the five priority provinces at the size of the 2015/16 mapping.

Everything here is invented: place names are built from location codes, children's names from
syllable lists. ``generate_demo()`` builds the rows (pure, deterministic); ``load_demo(session)``
inserts them once.
"""

from app.demo.generate import (
    DEMO_VERSION,
    REFERENCE_DATE,
    DemoData,
    generate_demo,
)
from app.demo.load import META_KEY, LoadReport, load_demo

__all__ = [
    "DEMO_VERSION",
    "META_KEY",
    "REFERENCE_DATE",
    "DemoData",
    "LoadReport",
    "generate_demo",
    "load_demo",
]
