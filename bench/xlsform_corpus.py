"""How many of pyxform's own example workbooks Homeward imports (issue #13).

    .venv/bin/python bench/xlsform_corpus.py [CORPUS] [--quick] [--list]

CORPUS is a directory searched recursively for `.xls` and `.xlsx` workbooks (pyxform's test
workbooks are `tests/example_xls/` of its repository, github.com/XLSForm/pyxform at the tag of
the pinned version). Without CORPUS, the pinned pyxform's sdist is downloaded from PyPI into a
temporary directory and its `tests/example_xls/` used, if the sdist ships it (4.5.0 does not:
then the script says so and exits 2).

Each workbook is converted by pyxform (`convert`, `validate=False`); the ones it converts are
imported by Homeward (`import_xlsform`, which gives the `FormSchema` that `POST
/api/v1/forms/xlsform` publishes). Prints the counts, the refusals by feature (row and message
with `--list`), and the share of pyxform's conversions that Homeward publishes. `--quick` reads
at most 5 workbooks (the smoke test).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyxform.xls2xform import convert  # noqa: E402

from app.forms.xlsform import XLSFormError, import_xlsform  # noqa: E402

QUICK = 5


@dataclass(frozen=True)
class Outcome:
    path: Path
    converted: bool
    published: bool
    reason: str = ""  # the feature of the first issue, when refused
    detail: str = ""


def workbooks(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.suffix.lower() in (".xls", ".xlsx"))


def try_one(path: Path) -> Outcome:
    content = path.read_bytes()
    try:
        convert(content, validate=False, file_type=path.suffix.lower(), warnings=[])
    except Exception as exc:  # PyXFormError, BadZipFile …: pyxform does not convert it
        return Outcome(path, False, False, "pyxform", f"{type(exc).__name__}: {exc}"[:200])
    try:
        import_xlsform(content, path.name)
    except XLSFormError as exc:
        first = exc.issues[0]
        return Outcome(path, True, False, first.feature, str(exc)[:300])
    return Outcome(path, True, True)


def corpus_from_pypi(into: Path) -> Path | None:
    """The pinned pyxform's sdist from PyPI, unpacked; its tests/example_xls if it has one."""
    pinned = version("pyxform")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", f"pyxform=={pinned}", "--no-binary", ":all:"]
        + ["--no-deps", "-q", "-d", str(into)],
        check=True,
    )
    for archive in into.glob("pyxform-*.tar.gz"):
        subprocess.run(["tar", "xzf", str(archive), "-C", str(into)], check=True)
    found = sorted(into.glob("pyxform-*/tests/example_xls"))
    return found[0] if found else None


def report(outcomes: list[Outcome], *, listed: bool) -> None:
    converted = [o for o in outcomes if o.converted]
    published = [o for o in converted if o.published]
    refused = [o for o in converted if not o.published]
    print(f"workbooks: {len(outcomes)}")
    print(f"converted by pyxform: {len(converted)}")
    print(f"published by Homeward: {len(published)}")
    print(f"refused by Homeward: {len(refused)}")
    for feature, n in Counter(o.reason for o in refused).most_common():
        print(f"  {n:3d}  {feature}")
    if listed:
        for o in outcomes:
            state = "published" if o.published else ("refused" if o.converted else "pyxform")
            print(f"{state:9s} {o.path.name}  {o.detail}")
    share = 100 * len(published) / len(converted) if converted else 0.0
    print(f"published / converted: {share:.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, help="a directory of workbooks")
    parser.add_argument("--quick", action="store_true", help=f"at most {QUICK} workbooks")
    parser.add_argument("--list", action="store_true", help="one line per workbook")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus or corpus_from_pypi(Path(tmp))
        if corpus is None:
            print(
                "the pyxform sdist on PyPI has no tests/example_xls: pass a directory "
                "(tests/example_xls of github.com/XLSForm/pyxform)",
                file=sys.stderr,
            )
            sys.exit(2)
        paths = workbooks(corpus)[:QUICK] if args.quick else workbooks(corpus)
        report([try_one(p) for p in paths], listed=args.list)


if __name__ == "__main__":
    main()
