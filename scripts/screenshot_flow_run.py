"""Save a PNG screenshot of a flow run's Artifacts tab (or another tab, or one artifact) in the Prefect UI."""

import argparse
import json
import os
import re
import sys
import urllib.request
from urllib.parse import urlsplit

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TABS = {
    "artifacts": "Artifacts",
    "logs": "Logs",
    "details": "Details",
    "parameters": "Parameters",
    "task-runs": "TaskRuns",
    "subflow-runs": "SubflowRuns",
    "job-variables": "JobVariables",
}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
IMAGES_READY = """() => [...document.images].every(i => i.complete &&
    (i.naturalWidth > 0 || !i.getAttribute('src') || i.getBoundingClientRect().width === 0))"""


def get_json(url):
    """Return the decoded JSON body of a GET request to url."""
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.load(resp)


def check_server(ui, flow_run_id):
    """Exit if the server is unreachable or the run unknown; warn if the UI calls another API URL."""
    try:
        get_json(f"{ui}/api/flow_runs/{flow_run_id}")
        api_url = get_json(f"{ui}/ui-settings").get("api_url", "")
    except OSError as exc:
        sys.exit(f"error: cannot read flow run {flow_run_id} from {ui}/api: {exc}")
    if api_url.rstrip("/") != f"{ui}/api":
        print(
            f"warning: the UI calls {api_url}, not {ui}/api; start the server with "
            f"PREFECT_UI_API_URL={ui}/api or the page stays empty",
            file=sys.stderr,
        )


def screenshot(
    ui,
    flow_run_id,
    out,
    page="artifacts",
    artifact_id=None,
    ui_version="v2",
    chromium="/usr/bin/chromium",
    width=1400,
    height=1800,
    timeout_ms=30000,
):
    """Open the page in headless Chromium, wait until it and its images rendered, save a full-page PNG."""
    if not os.path.exists(chromium):
        sys.exit(f"error: {chromium} not found; install it with `apt-get install chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("error: playwright is missing: `pip install playwright` (no `playwright install`)")
    prefix = "/v2" if ui_version == "v2" else ""
    if artifact_id:
        url = f"{ui}{prefix}/artifacts/artifact/{artifact_id}"
    else:
        url = f"{ui}{prefix}/runs/flow-run/{flow_run_id}?tab={TABS[page]}"
    allowed = LOCAL_HOSTS | {urlsplit(ui).hostname}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": width, "height": height})
            # The v2 UI fetches an analytics config from the internet: keep the browser on this machine.
            tab.route("**/*", lambda r: r.continue_() if urlsplit(r.request.url).hostname in allowed else r.abort())
            tab.goto(url, wait_until="networkidle", timeout=timeout_ms)
            if not artifact_id:  # v1 ignores ?tab= while the run loads (the tab is hidden): click it
                name = re.sub(r"([a-z])([A-Z])", r"\1 \2", TABS[page])
                label = tab.locator("[role=tablist]:visible").get_by_text(name, exact=True).first
                label.wait_for(state="visible", timeout=timeout_ms)
                label.click()
                tab.evaluate("document.activeElement && document.activeElement.blur()")
                tab.wait_for_load_state("networkidle", timeout=timeout_ms)
            tab.wait_for_function(IMAGES_READY, timeout=timeout_ms)
            tab.wait_for_timeout(1000)  # let fonts and layout settle
            os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
            tab.screenshot(path=out, full_page=True)
        finally:
            browser.close()
    return url


def main(argv=None):
    """Parse the command line and take the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ui", default="http://127.0.0.1:4200", help="Prefect server/UI base URL")
    parser.add_argument("--flow-run-id", required=True)
    parser.add_argument("--out", default="docs/flow-run-artifacts.png")
    parser.add_argument("--page", choices=sorted(TABS), default="artifacts", help="flow run tab")
    parser.add_argument("--artifact-id", help="shoot this artifact's own page instead of a tab")
    parser.add_argument("--ui-version", choices=["v2", "v1"], default="v2")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1800)
    args = parser.parse_args(argv)
    ui = args.ui.rstrip("/")
    check_server(ui, args.flow_run_id)
    url = screenshot(
        ui,
        args.flow_run_id,
        args.out,
        args.page,
        args.artifact_id,
        args.ui_version,
        args.chromium,
        args.width,
        args.height,
    )
    print(f"saved {args.out} from {url}")


if __name__ == "__main__":
    main()
