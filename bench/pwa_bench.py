"""The field app's figures: app shell size, offline start, opening a form, syncing a backlog.

    .venv/bin/python bench/pwa_bench.py [--submissions 1000] [--runs 5]

Prints, against the targets of the field app issue:
- the app shell's bytes, gzip (every file sw.js precaches)            target <= 150 KB
- offline reload -> the form list on screen (median)                   target <= 1 s
- tap on "Institution inspection" -> the form rendered (median)         target <= 300 ms
- N queued submissions -> all sent, on loopback ("Sync now" to done)    target <= 30 s

Runs a real server (tests/live_server.py) on a fresh SQLite demo database in a temporary
directory, and headless Chromium (/usr/bin/chromium). Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PWA = REPO / "static" / "pwa"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TARGETS = {"shell_kb": 150, "offline_start_s": 1.0, "open_form_ms": 300, "sync_s": 30}


def shell_files() -> list[Path]:
    sw = (PWA / "sw.js").read_text()
    listed = re.findall(r"^\s+'(/[^']*)',?$", sw, flags=re.M)
    files = [PWA / p.lstrip("/") for p in listed if p != "/"]
    return [PWA / "sw.js", *files]


def shell_size() -> tuple[int, int]:
    raw = gz = 0
    for path in shell_files():
        data = path.read_bytes()
        raw += len(data)
        gz += len(gzip.compress(data, compresslevel=6))
    return raw, gz


def make_database(root: Path) -> str:
    from tests.conftest import migrate_and_seed

    url = f"sqlite:///{root / 'bench.db'}"
    migrate_and_seed(url, demo=True)
    return url


QUEUE_JS = """
async ({ n, institution }) => {
  const app = window.homeward;
  const { queueChange } = await import('/js/sync.js');
  const today = new Date().toISOString().slice(0, 10);
  const children = {};
  for (const sex of ['girls', 'boys']) {
    for (const band of ['0_2', '3_5', '6_11', '12_17']) children[`${sex}_${band}`] = 1;
  }
  Object.assign(children, { young_women_18_plus: 0, young_men_18_plus: 0,
    girls_with_disability: 0, boys_with_disability: 0, children_with_case_plan: 2 });
  const standards = {};
  for (const k of ['child_protection_policy', 'every_child_registered', 'case_files',
    'safe_water', 'sleeping_space', 'school_attendance', 'health_care', 'no_voluntourism']) {
    standards[k] = 'yes';
  }
  for (let i = 0; i < n; i += 1) {
    const data = {
      institution, inspection_date: today, inspection_round: 'follow_up',
      inspectors: [{ _row_id: crypto.randomUUID(), inspector_name: `Inspector ${i}`,
        inspector_agency: 'dosvy' }],
      children, beds: 10 + (i % 30), staff: { staff_total: 10, carers: 6, social_workers: 1 },
      standards, abuse_allegation: 'no', institution_intention: 'continue',
      recommended_follow_up: 'improve', follow_up_actions: `Visit ${i}: register every child.`,
      gps: { lat: 13.36, lon: 103.85, accuracy: 5 }, inspector_signature: 'a'.repeat(64),
    };
    await queueChange(app.db, {
      change_id: crypto.randomUUID(), record_id: crypto.randomUUID(),
      form_id: 'institution_inspection', form_version: '2026.1', base_rev: null, data,
      attachments: [], captured_at: new Date().toISOString(),
      username: app.session.username, priority: 'normal',
    });
  }
  return (await app.syncer.status()).waiting;
}
"""


def run(submissions: int, runs: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from tests.live_server import LiveServer

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="hw-pwa-bench-") as tmp:
        root = Path(tmp)
        os.environ["HOMEWARD_DATA_DIR"] = str(root / "files")
        server = LiveServer(make_database(root), workers=1).start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context = browser.new_context(
                    viewport={"width": 800, "height": 1280},
                    timezone_id="Asia/Phnom_Penh",
                    bypass_csp=True,  # its waits are evaluated strings; the app's CSP forbids eval
                )
                page = context.new_page()
                page.goto(server.url + "/")
                page.get_by_label("Username").fill("inspector.sr")
                page.get_by_label("Password").fill("homeward-demo")
                started = time.perf_counter()
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_function(
                    "window.homeward && !window.homeward.syncer.running "
                    "&& document.querySelector('#status .last-sync')?"
                    ".textContent.startsWith('Last sync')",
                    timeout=120000,
                )
                figures["first_sync_s"] = time.perf_counter() - started
                page.wait_for_function("navigator.serviceWorker.controller !== null")
                button = page.get_by_role("button", name="Institution inspection", exact=True)

                context.set_offline(True)
                starts = []
                for _ in range(runs):
                    page.reload()
                    button.wait_for()
                    starts.append(page.evaluate("performance.now()") / 1000)
                figures["offline_start_s"] = statistics.median(starts)

                opens = []
                for _ in range(runs):
                    page.evaluate("location.hash = '#/'")
                    button.wait_for()
                    page.evaluate("window.__t0 = performance.now()")
                    button.click()
                    page.wait_for_selector(".hw-form .hw-field")
                    opens.append(page.evaluate("performance.now() - window.__t0"))
                figures["open_form_ms"] = statistics.median(opens)
                page.evaluate("location.hash = '#/'")
                button.wait_for()

                context.set_offline(False)
                page.wait_for_function("navigator.onLine")
                institution = page.evaluate(
                    "window.homeward.db.getAllFromIndex('records', 'by_user_form', "
                    "['inspector.sr', 'institution']).then((r) => r[0].record_id)"
                )
                context.set_offline(True)  # queue with no signal, as in the field
                queued = page.evaluate(QUEUE_JS, {"n": submissions, "institution": institution})
                assert queued == submissions, queued
                context.set_offline(False)
                page.wait_for_function("navigator.onLine")
                page.wait_for_function("!window.homeward.syncer.running")
                started = time.perf_counter()
                page.evaluate("window.homeward.syncer.run({reason: 'bench'})")
                page.wait_for_function(
                    "window.homeward.syncer.status().then((s) => !s.running && s.waiting === 0)",
                    timeout=300000,
                    polling=100,
                )
                figures["sync_s"] = time.perf_counter() - started
                stats = page.evaluate(
                    "window.homeward.db.getAll('outbox').then((items) => items.reduce((a, i) => "
                    "(a[i.state] = (a[i.state] || 0) + 1, a), {}))"
                )
                figures["sent"] = float(stats.get("sent", 0))
                figures["rejected"] = float(stats.get("rejected", 0))
                browser.close()
        finally:
            server.stop()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    raw, gz = shell_size()
    print(
        f"app shell: {len(shell_files())} files, {raw / 1024:.1f} KB raw, "
        f"{gz / 1024:.1f} KB gzip (target <= {TARGETS['shell_kb']} KB)"
    )
    if not os.path.exists(CHROMIUM):
        print(f"{CHROMIUM} is missing: browser figures skipped")
        return 0
    f = run(args.submissions, args.runs)
    print(f"first sign-in and sync (3,600 records in scope): {f['first_sync_s']:.2f} s")
    print(
        f"offline reload -> form list: {f['offline_start_s'] * 1000:.0f} ms median "
        f"(target <= {TARGETS['offline_start_s'] * 1000:.0f} ms)"
    )
    print(
        f"open the inspection form: {f['open_form_ms']:.0f} ms median "
        f"(target <= {TARGETS['open_form_ms']} ms)"
    )
    print(
        f"sync {args.submissions} queued submissions on loopback: {f['sync_s']:.1f} s "
        f"({f['sent']:.0f} sent, {f['rejected']:.0f} rejected; target <= {TARGETS['sync_s']} s)"
    )
    ok = (
        gz / 1024 <= TARGETS["shell_kb"]
        and f["offline_start_s"] <= TARGETS["offline_start_s"]
        and f["open_form_ms"] <= TARGETS["open_form_ms"]
        and f["sync_s"] <= TARGETS["sync_s"]
        and f["sent"] == args.submissions
    )
    print("all targets met" if ok else "SOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
