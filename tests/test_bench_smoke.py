"""The sync bench still runs end to end (so it cannot rot): a quick run, without the peer."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 300


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


def test_indicators_bench_quick_prints_cold_api_and_page_figures() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "indicators_bench.py"), "--quick"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 2,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout
    assert re.search(r"^built: [\d,]+ records \(1 x [\d,]+\)", output, re.M), output
    assert re.search(r"^cold \(national, 2025\): \d+ ms \([\d,]+ children in care\)", output, re.M)
    for name in ("api (mosvy)", "api (supervisor.btb)", "page (mosvy)"):
        assert re.search(rf"^{re.escape(name)}: 6 requests, p50 \d+ ms, p95 \d+ ms", output, re.M)
    assert re.search(r"^p95 target 500 ms: (PASS|FAIL)$", output, re.M), output
