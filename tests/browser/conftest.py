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


#: Experts for the team and panel pages (test_formation_pages.py): enough people outside E-AUTO
#: (whose staff S3 and conflicted S1 must never appear) for a team of two with swap options,
#: co-authored evidence (the ties that make a team cohesive), and every panel sector and age.
FORMATION_ORGS: dict[str, list[dict[str, Any]]] = {
    "universities.jsonl": [
        {"id": "U-SWU", "name": "西南大学", "district": "500106", "disciplines": ["580"]},
    ],
    "institutes.jsonl": [
        {
            "id": "I-BATT",
            "name": "重庆电池技术研究所",
            "district": "500112",
            "disciplines": ["580"],
        },
    ],
    "enterprises.jsonl": [
        {
            "id": "E-GREEN",
            "name": "重庆绿能储能科技有限公司",
            "district": "500106",
            "industry": "储能",
            "disciplines": ["580"],
        },
    ],
}
FORMATION_SCIENTISTS = [
    {
        "id": "S10",
        "name": "陈静",
        "institution": "U-SWU",
        "birth_year": 1972,
        "title": "教授",
        "disciplines": ["580"],
        "max_active_teams": 20,
    },
    {
        "id": "S11",
        "name": "刘洋",
        "institution": "I-CIGIT",
        "birth_year": 1984,
        "title": "研究员",
        "disciplines": ["52020"],
        "max_active_teams": 20,
    },
    {
        "id": "S12",
        "name": "赵磊",
        "institution": "I-BATT",
        "birth_year": 1990,
        "title": "高级工程师",
        "disciplines": ["580"],
        "max_active_teams": 20,
    },
    {
        "id": "S13",
        "name": "孙敏",
        "institution": "U-SWU",
        "birth_year": 1993,
        "title": "副教授",
        "disciplines": ["52020"],
        "max_active_teams": 20,
    },
    {
        "id": "S14",
        "name": "周强",
        "institution": "E-GREEN",
        "birth_year": 1978,
        "title": "正高级工程师",
        "disciplines": ["580"],
        "max_active_teams": 20,
    },
]
FORMATION_EVIDENCE: dict[str, list[dict[str, Any]]] = {
    "publications.jsonl": [
        {
            "id": "P10",
            "title": "动力电池热管理系统液冷仿真研究",
            "abstract": "电池包热管理、液冷板设计与温度场仿真。",
            "year": 2021,
            "contributors": ["S10", "S12"],
            "disciplines": ["580"],
        },
        {
            "id": "P11",
            "title": "基于数据分析的电池热管理优化",
            "abstract": "利用运行数据分析与机器学习优化电池热管理策略。",
            "year": 2022,
            "contributors": ["S10", "S11"],
            "disciplines": ["580"],
        },
        {
            "id": "P12",
            "title": "交通大数据分析与机器学习方法",
            "abstract": "交通数据分析、预测与可视化。",
            "year": 2023,
            "contributors": ["S11", "S13"],
            "disciplines": ["52020"],
        },
        {
            "id": "P13",
            "title": "工业数据分析与设备故障诊断",
            "abstract": "面向制造企业的数据分析方法。",
            "year": 2023,
            "contributors": ["S13"],
            "disciplines": ["52020"],
        },
    ],
    "patents.jsonl": [
        {
            "id": "PT10",
            "title": "一种动力电池液冷板及热管理系统",
            "year": 2023,
            "number": "CN116000010A",
            "contributors": ["S12"],
            "disciplines": ["580"],
        },
        {
            "id": "PT11",
            "title": "储能电池热安全温度监测与数据分析方法",
            "year": 2021,
            "number": "CN113000011A",
            "contributors": ["S14"],
            "disciplines": ["580"],
        },
    ],
}
FORMATION_MEMBERSHIPS = [
    {"scientist": "S10", "society": "SOC-TR", "grade": "fellow"},
    {"scientist": "S11", "society": "SOC-CS", "grade": "senior_member"},
    {"scientist": "S12", "society": "SOC-TR", "grade": "member"},
    {"scientist": "S13", "society": "SOC-CS", "grade": "member"},
    {"scientist": "S14", "society": "SOC-TR", "grade": "senior_member"},
]


def formation_dataset(folder: Path) -> Path:
    """The web dataset plus the experts the team and panel pages need."""
    for name, rows in (FORMATION_ORGS | FORMATION_EVIDENCE).items():
        _append(folder / name, rows)
    _append(folder / "scientists.jsonl", FORMATION_SCIENTISTS)
    _append(folder / "memberships.jsonl", FORMATION_MEMBERSHIPS)
    return folder


def _append(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def web_dataset(folder: Path) -> Path:
    """tiny_dataset plus districts, societies and presences for the analytics page."""
    tiny_dataset(folder)
    _append(folder / "districts.jsonl", EXTRA_DISTRICTS)
    _append(folder / "societies.jsonl", EXTRA_SOCIETIES)
    _append(folder / "presences.jsonl", EXTRA_PRESENCES)
    return folder


def load_graph(
    driver: neo4j.Driver, embedder: SentenceTransformerEmbedder, folder: Path
) -> neo4j.Driver:
    clear_graph(driver)
    report = import_path(driver, folder)
    assert report.ok, report
    embed_graph(driver, embedder)
    return driver


@pytest.fixture(scope="module")
def web_graph(
    driver: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> neo4j.Driver:
    """The graph of a test module (modules may override it with more data)."""
    return load_graph(driver, embedder, web_dataset(tmp_path_factory.mktemp("web") / "d"))


@pytest.fixture(scope="module")
def keys(web_graph: neo4j.Driver) -> dict[str, str]:
    out = {}
    for scopes in (["read"], ["read", "contact"], ["read", "write"], ["admin"]):
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


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    # Package scope: Playwright's sync API keeps an asyncio loop running in this thread while
    # it is open, which would break asyncio.run() in the tests after this package.
    try:
        from playwright import sync_api
    except ImportError:
        pytest.fail(
            "playwright is not installed (scripts/setup installs it: pip install -e '.[dev]')"
        )
    if not CHROMIUM.exists():
        pytest.fail(f"chromium is not installed at {CHROMIUM} (scripts/setup installs it)")
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
