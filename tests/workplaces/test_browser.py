"""The HTML report in a real headless browser (Debian's chromium): the table and the pictures render.

Set SPECS_SCREENSHOT=PATH to keep the screenshot (CI keeps it as an artefact).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest

from specs.properties import BY_ID
from specs.report.gradebook_html import render_gradebook
from specs.report.html import render_page
from specs.report.report import Report
from specs.report.results import PropertyResult
from specs.run import grading
from specs.run.isolation import Outcome, Settings

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
BROWSER = next((path for name in BROWSERS if (path := shutil.which(name)) is not None), None)
needs_browser = pytest.mark.skipif(BROWSER is None, reason="no headless browser (apt-get install chromium)")
WIDTH, HEIGHT = 1200, 1600

# Appended to a copy of the page: measures what the browser laid out, into a <pre> that --dump-dom shows.
PROBE = """<script>
const box = (e) => { const r = e.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
const probe = document.createElement("pre"); probe.id = "probe";
probe.textContent = JSON.stringify({
  rows: document.querySelectorAll("#properties tr").length,
  table: box(document.querySelector("#properties table")),
  svgs: [...document.querySelectorAll("figure svg")].map(box),
  ellipses: document.querySelectorAll("figure svg ellipse").length,
  verdict: getComputedStyle(document.querySelector(".verdict")).backgroundColor,
});
document.body.appendChild(probe);
</script>"""


def _chromium(*arguments: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             *arguments], capture_output=True, text=True, timeout=120, check=False)


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@needs_browser
def test_the_report_renders_its_table_and_pictures(failing_report: Report, tmp_path: Path) -> None:
    page = render_page(failing_report, command="python -m specs check broken.py")
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = _chromium("--dump-dom", probed.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found is not None, done.stderr[-2000:]
    layout = json.loads(found.group(1).replace("&quot;", '"'))
    assert layout["rows"] == 1 + len(failing_report.properties)
    assert layout["table"][0] > 600 and layout["table"][1] > 60
    assert layout["verdict"] == "rgb(197, 34, 31)"  # the inline style applied: a red "NOT conformant"
    if shutil.which("dot") is None:  # no Graphviz: the page shows the DOT source instead
        assert layout["svgs"] == [] and "digraph g {" in done.stdout
        return
    assert len(layout["svgs"]) == 1 and all(w > 100 and h > 100 for w, h in layout["svgs"])
    assert layout["ellipses"] == 2  # x0 and y0 of `y0 = add(x0, x0)`


@needs_browser
def test_a_screenshot_of_the_report(failing_report: Report, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(render_page(failing_report, command="python -m specs check broken.py"), encoding="utf-8")
    screenshot = tmp_path / "report.png"
    done = _chromium(f"--screenshot={screenshot}", f"--window-size={WIDTH},{HEIGHT}", report.as_uri())
    assert screenshot.is_file(), done.stderr[-2000:]
    assert _png_size(screenshot) == (WIDTH, HEIGHT)
    assert screenshot.stat().st_size > 30_000  # a blank page compresses to a few kilobytes
    keep = os.environ.get("SPECS_SCREENSHOT")
    if keep:
        shutil.copyfile(screenshot, keep)


BEYOND_PROBE = """<script>
const colour = (s) => getComputedStyle(document.querySelector(s)).backgroundColor;
const probe = document.createElement("pre"); probe.id = "probe";
probe.textContent = JSON.stringify({status: colour(".status.beyond"), verdict: colour(".verdict.beyond"),
                                    main: colour(".verdict"), failed: document.querySelectorAll(".status.failed").length});
document.body.appendChild(probe);
</script>"""


@needs_browser
def test_checks_beyond_the_book_render_amber_never_red(tmp_path: Path) -> None:
    beyond = PropertyResult("config-isolated-between-threads", "extended", "failed", 1, 0.1, "shared Config")
    page = render_page(Report("book_step18.py", [beyond]), draw=lambda _: None)
    probed = tmp_path / "beyond.html"
    probed.write_text(page.replace("</body>", BEYOND_PROBE + "</body>"), encoding="utf-8")
    done = _chromium("--dump-dom", probed.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found is not None, done.stderr[-2000:]
    colours = json.loads(found.group(1).replace("&quot;", '"'))
    assert colours["main"] == "rgb(30, 142, 62)"  # a green "conformant"
    assert colours["status"] == colours["verdict"] == "rgb(254, 243, 214)"  # amber, not red
    assert colours["failed"] == 0


GRADEBOOK_PROBE = """<script>
const probe = document.createElement("pre"); probe.id = "probe";
const links = [...document.querySelectorAll("#class a")].map((a) => a.getAttribute("href"));
probe.textContent = JSON.stringify({
  rows: document.querySelectorAll("#class table tr").length,
  targets: links.filter((href) => document.querySelector(href) !== null).length,
  frames: [...document.querySelectorAll("#students iframe")].map((f) => f.getBoundingClientRect().height > 200),
  failed: getComputedStyle(document.querySelector(".mark.F")).backgroundColor,
  summary: document.querySelector("#summary").textContent,
});
document.body.appendChild(probe);
</script>"""


@needs_browser
def test_the_gradebook_page_links_each_student_to_their_report(tmp_path: Path) -> None:
    passed = PropertyResult("gradients-match-finite-differences", "core", "passed", 100, 0.5)
    failed = PropertyResult("gradients-match-finite-differences", "core", "failed", 1, 0.1, "x0.grad is 2.0")
    outcomes = [Outcome(Report("ada.py", [passed])), Outcome(Report("bo.py", [failed])),
                Outcome(Report("cy.py", []), "cy.py: `Variable` not defined")]
    book = grading.from_outcomes(["ada.py", "bo.py", "cy.py"], outcomes,
                                   (BY_ID["gradients-match-finite-differences"],), Settings("class", seed=0))
    probed = tmp_path / "gradebook.html"
    probed.write_text(render_gradebook(book).replace("</body>", GRADEBOOK_PROBE + "</body>"), encoding="utf-8")
    done = _chromium("--dump-dom", probed.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found is not None, done.stderr[-2000:]
    layout = json.loads(found.group(1).replace("&quot;", '"'))
    assert layout["rows"] == 1 + 3  # a header and a row per student
    assert layout["targets"] == 3  # every row's link lands on that student's report
    assert layout["frames"] == [True, True]  # the two that loaded show their own report; cy shows why not
    assert layout["failed"] == "rgb(252, 232, 230)"  # the failed mark is marked
    assert "1 of 3 targets conformant" in layout["summary"]
