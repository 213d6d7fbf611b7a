"""Configure ODK Collect in real headless Chromium, with no JavaScript and under the desk's
own Content-Security-Policy: a field user signs in, configures Collect, sees the QR code and
the server URL, then does it again in Khmer (HOMEWARD_SCREENSHOTS=1 writes
docs/screenshots/desk-collect-km.png)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.desk.browser_helpers import desk_context, sign_in_on_desk
from tests.desk.test_desk_browser import SCREENSHOTS
from tests.live_server import LiveServer


def test_a_field_user_configures_collect_and_sees_the_code_in_khmer_too(
    browser: Any, server: LiveServer
) -> None:
    context = desk_context(browser, viewport={"width": 1000, "height": 1100})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    try:
        sign_in_on_desk(page, server.url, "inspector.sr")
        expect(page.get_by_role("heading", name="Use the field app")).to_be_visible()
        page.get_by_role("main").get_by_role("link", name="Configure ODK Collect").click()
        expect(page).to_have_url(f"{server.url}/review/collect")
        expect(page.get_by_label("Device name")).to_have_value("Collect on my phone")
        page.get_by_role("button", name="Configure ODK Collect").click()

        qr = page.locator("figure.qr-box svg.qr")
        expect(qr).to_be_visible()
        box = qr.bounding_box()
        assert box is not None and box["width"] >= 200 and box["height"] >= 200
        expect(page.locator("#server-url")).to_contain_text(f"{server.url}/openrosa/key/hw_")
        expect(page.locator("p.notice")).to_contain_text("Collect on my phone")
        expect(page).to_have_url(f"{server.url}/review/collect")  # no token in the URL

        page.get_by_role("link", name="ភាសាខ្មែរ").click()
        expect(page.locator("html")).to_have_attribute("lang", "km")
        expect(page.locator("#server-url")).to_have_count(0)  # shown once, not again
        page.get_by_label("ឈ្មោះឧបករណ៍").fill("ថេប្លេតទី ២")
        page.get_by_role("button", name="កំណត់ ODK Collect").click()
        expect(qr).to_be_visible()
        expect(page.get_by_text("ស្កេនកូដនេះ")).to_be_visible()
        expect(page.locator("#server-url")).to_contain_text("/openrosa/key/hw_")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "desk-collect-km.png"), full_page=True)
        assert not [m for m in console if "Content Security Policy" in m], console
    finally:
        context.close()
