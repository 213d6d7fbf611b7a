"""Time `validate_submission` on each built-in form's realistic submission.

    .venv/bin/python bench/validate_bench.py [--rounds N] [--number N] [--interpret] [--cpu]

The submissions are the realistic builders of tests/unit/test_domain_forms.py (the ones the
domain-form tests accept), validated as a sync push does: with `today`, `now` and a
`lookup_record`. Prints, per form, the best of `--rounds` rounds of `--number` validations, in
milliseconds per validation (the best round is the least disturbed by other processes).
`--interpret` evaluates the forms' expressions with the tree interpreter instead of the code
generated from them (`app.forms.expressions.generate_code`), to see what the generated code gains.
`--cpu` times the process's CPU time instead of the wall clock: steadier when other processes
share the cores (time spent waiting for a core is not counted).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.forms.definitions import BUILTIN_FORM_IDS, load_builtin_form  # noqa: E402
from app.forms.expressions import generate_code  # noqa: E402
from app.forms.validate import validate_submission  # noqa: E402
from tests.unit import test_domain_forms as domain  # noqa: E402


def best_ms(
    form_id: str, rounds: int, number: int, clock: Callable[[], float]
) -> tuple[float, bool]:
    schema = load_builtin_form(form_id)
    data = getattr(domain, form_id)()  # one builder per form, named after it

    def once() -> bool:
        result = validate_submission(
            schema, data, today=domain.TODAY, now=domain.NOW, lookup_record=domain.lookup_record
        )
        return result.ok

    ok = once()  # also warms the per-schema caches
    best = float("inf")
    for _ in range(rounds):
        started = clock()
        for _ in range(number):
            once()
        best = min(best, (clock() - started) / number)
    return best * 1000, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds per form (best is kept)")
    parser.add_argument("--number", type=int, default=300, help="validations per round")
    parser.add_argument(
        "--interpret", action="store_true", help="interpret expressions (no generated code)"
    )
    parser.add_argument("--cpu", action="store_true", help="time CPU time, not the wall clock")
    args = parser.parse_args()
    generate_code(not args.interpret)
    clock = time.process_time if args.cpu else time.perf_counter
    total = 0.0
    for form_id in BUILTIN_FORM_IDS:
        ms, ok = best_ms(form_id, args.rounds, args.number, clock)
        total += ms
        print(f"{form_id:<26} {ms:7.3f} ms{'' if ok else '  (NOT accepted)'}")
    print(f"{'mean':<26} {total / len(BUILTIN_FORM_IDS):7.3f} ms")


if __name__ == "__main__":
    main()
