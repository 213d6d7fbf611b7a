"""The desk's messages by area: each module here defines ``MESSAGES = {key: (English, Khmer)}``.

``app.desk.i18n`` merges them into its one catalog; a key defined twice is an error at import,
so two areas can never silently disagree on a label.
"""

from __future__ import annotations

import importlib
import pkgutil


def area_messages() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for key, pair in module.MESSAGES.items():
            if key in merged:
                raise RuntimeError(f"desk message {key!r} defined twice ({module_info.name})")
            merged[key] = pair
    return merged
