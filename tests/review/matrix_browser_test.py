"""The HTML access matrix of the worked example in headless Chromium (Debian's `chromium`):
it renders, a click on a cell shows its rule, and the fragment filters and sorts.

Chromium runs with the machine's launch flags and a fresh profile; the page is opened from a
file:// URL whose fragment clicks a cell (the page's own deep-link code calls the cell's
click()), then `--dump-dom` gives the DOM after the scripts ran and `--screenshot` the
picture. The screenshot, the page and the DOM are kept under test-artifacts/review/.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.review.png import read_png

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "review"
WINDOW = (1280, 800)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
]
ALL_ROWS, FILTERED, SELECTED, CODE_BACKGROUND = (
    (0xD9, 0xF2, 0xD9),
    (0xFF, 0xF1, 0xC2),
    (0x1F, 0x6F, 0xEB),
    (0xF6, 0xF8, 0xFA),
)


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install -y chromium)")
    return found


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("matrix")
    out = folder / "matrix.html"
    result = run_cli("matrix", "--format", "html", "--out", str(out), cwd=REPO)
    assert result.code == 0, result.err
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(out, ARTIFACTS / "matrix.html")
    return out


def browse(chromium: str, profile: Path, url: str, *extra: str) -> str:
    # Its own process group, so a hung Chromium and its helpers can all be stopped.
    proc = subprocess.Popen(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *extra, url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("Chromium did not finish within 60 s")
    assert proc.returncode == 0, err[-2000:]
    return out


class _Dom(HTMLParser):
    """Elements with an id, with their text; table rows in order, with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.text: dict[str, str] = {}
        self.rows: list[dict[str, str | None]] = []
        self.cells: list[dict[str, str | None]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and "data-table" in found:
            self.rows.append(found)
        if tag == "td":
            self.cells.append(found)
        if "id" in found and found["id"]:
            self._open.append(found["id"])
            self.text.setdefault(found["id"], "")

    def handle_endtag(self, tag: str) -> None:
        pass

    def handle_data(self, data: str) -> None:
        for element in self._open:
            self.text[element] += data


def parse(dom: str) -> _Dom:
    parser = _Dom()
    parser.feed(dom)
    return parser


def section(dom: str, element_id: str) -> str:
    match = re.search(rf'<[a-z0-9]+ id="{element_id}"[^>]*>(.*?)</(pre|h2|dl|span|p)>', dom, re.S)
    assert match, f"no #{element_id} in the DOM"
    return re.sub(r"<[^>]+>", " ", match.group(1))


def test_the_matrix_renders_and_a_click_shows_the_rule(
    chromium: str, page: Path, tmp_path: Path
) -> None:
    url = page.as_uri() + "#open=public.projects/viewer/select"
    shot = ARTIFACTS / "matrix-worked-example.png"
    shot.unlink(missing_ok=True)

    browse(chromium, tmp_path / "profile-1", url, f"--screenshot={shot}")
    dom = browse(chromium, tmp_path / "profile-2", url, "--dump-dom")
    (ARTIFACTS / "matrix-worked-example.dom.html").write_text(dom, encoding="utf-8")

    # The DOM after the scripts ran: the grid was built and the clicked cell's rule is shown.
    parsed = parse(dom)
    assert len(parsed.rows) == 10 and len(parsed.cells) == 10 * 4 * 4
    selected = [c for c in parsed.cells if "selected" in (c.get("class") or "")]
    assert [c["data-key"] for c in selected] == ["public.projects/viewer/select"]
    assert section(dom, "detail-title").strip() == "public.projects · select · viewer"
    facts = section(dom, "detail-facts")
    for fact in (
        "rows filtered",
        "11 of 17",
        "table file",
        "permissions/tables/public.projects.yaml:5:3",
        "published, not_deleted",
    ):
        assert fact in facts
    assert '"is_published": {' in section(dom, "detail-permission")
    assert '"filter": "published"' in section(dom, "detail-rule")

    # The picture: cells are coloured by access, the clicked cell is outlined, and the rule
    # panel (code boxes) is on the right.
    image = read_png(shot, max_rows=WINDOW[1] * 3 // 4)
    assert (image.width, image.height) == WINDOW
    everywhere, right = image.colours(), image.colours(x_from=WINDOW[0] * 2 // 3)
    assert everywhere[ALL_ROWS] > 2000 and everywhere[FILTERED] > 2000
    assert everywhere[SELECTED] > 40
    assert right[CODE_BACKGROUND] > 20000


def test_filter_sort_and_a_denied_cell_from_the_fragment(
    chromium: str, page: Path, tmp_path: Path
) -> None:
    fragment = "q=project&role=viewer&actions=select,update&sort=viewer/select&dir=desc"
    url = f"{page.as_uri()}#{fragment}&open=public.project_files/viewer/select"

    dom = browse(chromium, tmp_path / "profile", url, "--dump-dom")

    parsed = parse(dom)
    visible = [r["data-table"] for r in parsed.rows if "hidden" not in r]
    # Sorted by viewer's select access, most first: every row, then filtered (more columns
    # first, ties by name), then none.
    assert visible == [
        "public.project_statuses",
        "public.project_components",
        "public.projects",
        "public.project_notes",
        "public.followed_projects",
        "public.project_files",
    ]
    shown = {(c["data-role"], c["data-action"]) for c in parsed.cells if "hidden" not in c}
    assert shown == {("viewer", "select"), ("viewer", "update")}
    assert section(dom, "shown").strip() == "showing 6 of 10 tables"
    assert section(dom, "detail-title").strip() == "public.project_files · select · viewer"
    facts = section(dom, "detail-facts")
    assert "denied" in facts and "permissions/tables/public.project_files.yaml:7:3" in facts
