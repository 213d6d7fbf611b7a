"""Every bench still runs end to end (so none can rot): a quick run of each, its figures read
from what it prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 300


def run_bench(name: str, *args: str, timeout: int = TIMEOUT) -> str:
    """``bench/{name}`` run with ``args``; what it printed (stdout then stderr). Fails the test
    when it exits with an error."""
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / name), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    return output


def test_sync_bench_quick_prints_push_and_pull_rates() -> None:
    process = subprocess.Popen(
        [sys.executable, str(REPO / "bench" / "sync_bench.py"), "--quick", "--no-peer"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.terminate()  # the bench stops its server on SIGTERM
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        pytest.fail(f"the bench took over {TIMEOUT} s:\n{output[-3000:]}")

    assert process.returncode == 0, output[-3000:]
    assert re.search(r"^push: 500 records in [\d.]+ s = [\d,]+ records/s", output, re.M), output
    # the server's processes (master and workers) are counted: a real, nonzero CPU figure
    cpu = re.search(r"^  CPU: server [\d.]+ ms per push of 100 \((\d+) us/record", output, re.M)
    assert cpu is not None, output
    assert int(cpu.group(1)) > 0, output
    for limit in (1000, 5000):
        assert re.search(
            rf"^pull \(limit {limit}\): [\d,]+ records in \d+ pages, .* s = [\d,]+ records/s",
            output,
            re.M,
        ), output
    assert "FAILED" not in output, output
    assert re.search(r"^push / raw sqlite3 .*(PASS|FAIL)$", output, re.M), output


def test_xlsform_corpus_bench_counts_a_tiny_corpus(tmp_path: Path) -> None:
    """bench/xlsform_corpus.py on three workbooks written here: one pyxform refuses, one
    Homeward refuses (a geoshape), one both convert and publish."""
    from tests.unit.test_xlsform import xlsx

    odk = [["type", "name", "label"], ["text", "a", "A"]]
    (tmp_path / "publishes.xlsx").write_bytes(xlsx(odk))
    (tmp_path / "refused.xlsx").write_bytes(xlsx([*odk, ["geoshape", "b", "B"]]))
    (tmp_path / "unknown_type.xlsx").write_bytes(xlsx([*odk, ["no_such_type", "c", "C"]]))
    out = run_bench("xlsform_corpus.py", str(tmp_path), "--quick")
    assert re.search(r"^workbooks: 3$", out, re.M), out
    assert re.search(r"^converted by pyxform: 2$", out, re.M), out
    assert re.search(r"^published by Homeward: 1$", out, re.M), out
    assert re.search(r"^refused by Homeward: 1$", out, re.M), out
    assert re.search(r"^\s+1  geoshape$", out, re.M), out
    assert re.search(r"^published / converted: 50\.0 %$", out, re.M), out


def test_desk_bench_quick_prints_time_and_statements_per_page() -> None:
    output = run_bench("desk_bench.py", "--quick")
    assert re.search(r"^database: [\d,]+ records \(scale 1, quick\)", output, re.M), output
    row = r"^  {} +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +(\d+)$"
    for page in ("queue: first page", "queue: deep page \\(90 %\\)", "record page", "coverage"):
        found = re.findall(row.format(page), output, re.M)
        assert len(found) == 2, (page, output)  # national and one province
        assert all(0 < int(n) < 20 for n in found), (page, found)
    assert "FAILED" not in output, output
    assert re.search(r"^worst p95: CPU [\d.]+ ms", output, re.M), output


def test_openrosa_bench_quick_prints_its_rate() -> None:
    output = run_bench("openrosa_bench.py", "--quick")
    for phones in (2, 16):
        assert re.search(
            rf"^openrosa: 60 submissions \(50 KB photo each, {phones} clients, 2 workers\) in "
            r"[\d.]+ s = [\d,]+ submissions/s$",
            output,
            re.M,
        ), output
    assert re.search(r"CPU per submission: server [\d.]+ ms", output), output
    assert re.search(r"one durable 50 KB file write on this disk: [\d.]+ ms", output), output
    assert re.search(r"each worker's share of the server CPU: \d+ % / \d+ %", output), output
    assert re.search(r"this machine's reference loop: \d+ ms of CPU", output), output
    assert "FAILED" not in output, output


def test_export_bench_quick_prints_time_and_peak_memory_of_each_format() -> None:
    output = run_bench("export_bench.py", "--quick")
    for kind in ("csv", "xlsx"):
        found = re.search(
            rf"^{kind}: 2,000 records in [\d.]+ s \(CPU [\d.]+ s\) .* peak RSS (\d+) MB",
            output,
            re.M,
        )
        assert found is not None, output
        assert 0 < int(found.group(1)) < 1000, output


def test_indicators_bench_quick_prints_cold_warm_and_after_a_write_apart() -> None:
    output = run_bench("indicators_bench.py", "--quick", timeout=TIMEOUT * 2)
    assert re.search(r"^built: [\d,]+ records \(1 x [\d,]+\)", output, re.M), output
    assert re.search(r"^cold \(national, 2025\): \d+ ms \([\d,]+ children in care\)", output, re.M)
    assert re.search(r"^facts: every record caught up once in [\d.]+ s", output, re.M), output
    for name in ("api (mosvy)", "api (supervisor.btb)", "page (mosvy)"):
        for part, count in (("cold", 3), ("warm", 3), ("all", 6)):
            line = rf"^{re.escape(name)} {part}: {count} requests, p50 \d+ ms, p95 \d+ ms"
            assert re.search(line, output, re.M), output
    assert re.search(r"^api \(mosvy\) after a write: 5 requests, p50 \d+ ms", output, re.M)
    assert re.search(r"^p95 target 500 ms: (PASS|FAIL)$", output, re.M), output
