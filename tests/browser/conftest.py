"""Real-browser tests of the staff web app: Debian's chromium driven by Playwright.

The real app (create_app with the test Neo4j and the real embedding model) runs under uvicorn
in a background thread on a free loopback port; the browser is offline apart from that port.
Each test gets a fresh page; screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest

from api.config import get_settings
from api.main import create_app
from graph_schema import clear_graph, import_path
from graph_schema.apikeys import create_key
from matcher import embed_graph
from matcher.embedding import SentenceTransformerEmbedder
from tests.utils.factories import tiny_dataset

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
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


#: More districts, societies and presences than tiny_dataset, so the coverage chart has bars.
EXTRA_DISTRICTS = [
    {"code": "500103", "name": "渝中区", "name_en": "Yuzhong District"},
    {"code": "500105", "name": "江北区", "name_en": "Jiangbei District"},
    {"code": "500107", "name": "九龙坡区", "name_en": "Jiulongpo District"},
]
EXTRA_SOCIETIES = [
    {"id": f"SOC-X{i}", "name": name, "disciplines": ["520"], "district": "500103"}
    for i, name in enumerate(
        [
            "重庆市电子学会",
            "重庆市自动化学会",
            "重庆市机械工程学会",
            "重庆市化学化工学会",
            "重庆市土木建筑学会",
        ],
        start=1,
    )
]
EXTRA_PRESENCES = [
    {"society": s["id"], "district": d, "kind": "branch" if i % 2 else "liaison_office"}
    for i, s in enumerate(EXTRA_SOCIETIES)
    for d in ("500106", "500112", "500105")[: 1 + i % 3]
]


def _append(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


@pytest.fixture(scope="module")
def web_graph(
    driver: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> neo4j.Driver:
    clear_graph(driver)
    folder = tiny_dataset(tmp_path_factory.mktemp("web") / "d")
    _append(folder / "districts.jsonl", EXTRA_DISTRICTS)
    _append(folder / "societies.jsonl", EXTRA_SOCIETIES)
    _append(folder / "presences.jsonl", EXTRA_PRESENCES)
    report = import_path(driver, folder)
    assert report.ok, report
    embed_graph(driver, embedder)
    return driver


@pytest.fixture(scope="module")
def keys(web_graph: neo4j.Driver) -> dict[str, str]:
    out = {}
    for scopes in (["read"], ["read", "contact"], ["admin"]):
        plain, _ = create_key(web_graph, name="browser-" + "-".join(scopes), scopes=scopes)
        out["+".join(scopes)] = plain
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url(web_graph: neo4j.Driver, embedder: SentenceTransformerEmbedder) -> Iterator[str]:
    import uvicorn

    app = create_app(
        get_settings(), driver=web_graph, embedder=embedder, rate_limit_per_minute=10_000
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
    )
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (scripts/setup installs it)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 1366, "height": 850},
        accept_downloads=True,
        locale="zh-CN",
    )
    # Offline but for the app: any request elsewhere fails the test.
    outside: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not outside, f"requests outside the app: {outside}"


@pytest.fixture(scope="session")
def shots() -> Path:
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS
