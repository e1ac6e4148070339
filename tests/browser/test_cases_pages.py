"""Staff workflows across pages in a real (offline) chromium: the case list with filters and
paging, shareable URLs that restore a search, a team and a consortium after a reload or in a
new tab (the key is kept per browser), the enterprise picked by name, the consortium page, the
Excel meeting sheet, the print view and the phone width. Screenshots: cases.png,
consortium.png, print.png, phone.png."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from matcher.embedding import SentenceTransformerEmbedder
from tests.browser.conftest import formation_dataset, load_graph, web_dataset
from tests.browser.test_formation_pages import (
    member_ids,
    open_team_page,
    propose_team,
    team_id,
)
from tests.browser.test_web import login, search

THEME = "智能网联汽车与动力电池热管理"


@pytest.fixture(scope="module")
def web_graph(
    driver: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> neo4j.Driver:
    folder = formation_dataset(web_dataset(tmp_path_factory.mktemp("cases") / "d"))
    return load_graph(driver, embedder, folder)


@pytest.fixture(autouse=True)
def patient(page: Any) -> Iterator[None]:
    """Solving on a busy 2-core machine can take longer than the suite's 15 s default."""
    page.set_default_timeout(60_000)
    expect.set_options(timeout=60_000)
    yield
    expect.set_options(timeout=5_000)


def scroll_width(page: Any) -> int:
    width: int = page.evaluate("document.scrollingElement.scrollWidth")
    return width


def test_team_url_survives_reload_and_new_tab_then_case_list_finds_it(
    page: Any, keys: dict[str, str], shots: Path
) -> None:
    open_team_page(page, keys["read+write"])
    propose_team(page)  # the enterprise is chosen by name from the type-ahead list
    tid, ids = team_id(page), member_ids(page)
    page.wait_for_url(f"**/ui/team/{tid}")
    # no internal ids as text on the page
    assert tid not in page.locator("main").inner_text()
    assert "E-AUTO" not in page.locator(".team-head").inner_text()
    expect(page.locator(".team-head")).to_contain_text("重庆渝新智能汽车有限公司")

    page.reload()
    expect(page.get_by_test_id("member")).to_have_count(len(ids))
    assert member_ids(page) == ids
    expect(page.get_by_test_id("team-status")).to_have_text("待确认")
    expect(page.get_by_label("需求标题")).to_have_value("动力电池热管理与数据分析")
    expect(page.get_by_label("企业", exact=True)).to_have_value("重庆渝新智能汽车有限公司")
    expect(page.locator("#checks tbody tr")).to_have_count(6)  # the reasons came back too
    page.get_by_role("button", name="确认服务队").click()
    expect(page.get_by_test_id("team-status")).to_have_text("已确认")

    # a colleague's tab in the same browser: no second sign-in, the confirmed team
    other = page.context.new_page()
    other.goto(f"/ui/team/{tid}")
    expect(other.get_by_test_id("team-status")).to_have_text("已确认")
    assert "/ui/login" not in other.url
    expect(other.get_by_test_id("member")).to_have_count(len(ids))
    other.close()

    # the case list: filter by kind and status, open the row
    page.get_by_role("link", name="案件列表").click()
    page.wait_for_url("**/ui/cases")
    expect(page.get_by_test_id("case-row").first).to_be_visible()
    page.get_by_label("类型").select_option("team")
    page.get_by_label("状态").select_option("confirmed")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/ui/cases?type=team&status=confirmed")
    rows = page.get_by_test_id("case-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("动力电池热管理与数据分析")
    expect(rows.first).to_contain_text("重庆渝新智能汽车有限公司")
    expect(rows.first).to_contain_text("已确认")
    page.screenshot(path=str(shots / "cases.png"), full_page=True)
    page.reload()  # the filters live in the URL
    expect(page.get_by_label("状态")).to_have_value("confirmed")
    expect(page.get_by_test_id("case-row")).to_have_count(1)
    page.get_by_label("关键词").fill("没有这样的需求")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("cases-empty")).to_be_visible()
    page.go_back()
    page.get_by_test_id("case-row").first.get_by_role("link").click()
    page.wait_for_url(f"**/ui/team/{tid}")
    expect(page.get_by_test_id("team-status")).to_have_text("已确认")


def test_case_list_pages_with_a_cursor_and_lists_demands(page: Any, keys: dict[str, str]) -> None:
    login(page, keys["read+write"])
    for i in range(3):  # three consortia: more than one page of two
        r = page.request.post(
            "/v1/consortia",
            data={"theme": f"{THEME} {i}", "min_size": 2, "max_size": 3},
            headers={"X-API-Key": keys["read+write"]},
        )
        assert r.status == 201, r.text()
    page.goto("/ui/cases?type=consortium")
    expect(page.get_by_test_id("case-row").first).to_be_visible()
    n = page.get_by_test_id("case-row").count()
    assert n >= 3
    # pages of 20 in the app; the API pages the same with a cursor: ask for 2 per page
    first = page.request.get(
        "/v1/formations?kind=consortium&limit=2", headers={"X-API-Key": keys["read"]}
    ).json()
    assert first["count"] == 2 and first["next_cursor"]
    page.goto(f"/ui/cases?type=consortium&cursor={first['next_cursor']}")
    expect(page.get_by_test_id("case-row").first).to_be_visible()
    ids = page.get_by_test_id("case-row").evaluate_all("els => els.map(e => e.dataset.id)")
    assert ids and not set(ids) & {x["id"] for x in first["data"]}
    expect(page.locator("[data-action=first]")).to_be_visible()
    # demands: the imported one has no team yet
    page.goto("/ui/cases?type=demand&status=open")
    expect(page.get_by_test_id("case-row").first).to_contain_text("动力电池热管理优化")
    expect(page.get_by_test_id("case-row").first).to_contain_text("尚未组队")


def test_search_has_a_url_that_restores_it(page: Any, keys: dict[str, str]) -> None:
    login(page, keys["read"])
    search(page, "电池热管理")
    page.wait_for_url("**/ui/search?q=*")
    first = page.get_by_test_id("result").first.get_attribute("data-id")
    url = page.url
    page.reload()
    expect(page.get_by_label("需求或关键词")).to_have_value("电池热管理")
    expect(page.get_by_test_id("result").first).to_have_attribute("data-id", first)
    other = page.context.new_page()
    other.goto(url)
    expect(other.get_by_test_id("result").first).to_have_attribute("data-id", first)
    other.close()


def test_consortium_page_shows_organisations_roles_ties_and_reasons(
    page: Any, keys: dict[str, str], shots: Path
) -> None:
    login(page, keys["read+write"])
    page.get_by_role("link", name="创新联合体").click()
    page.wait_for_url("**/ui/consortium")
    expect(page.get_by_role("heading", name="创新联合体", level=1)).to_be_visible()
    page.get_by_label("主题").fill(THEME)
    page.get_by_label("最少单位数").fill("2")
    page.get_by_role("button", name="生成联合体").click()
    expect(page.get_by_test_id("cons-status")).to_have_text("待确认")
    page.wait_for_url("**/ui/consortium/CONS-*")
    rows = page.get_by_test_id("cons-member")
    assert rows.count() >= 2
    kinds = {"企业", "高校", "科研院所", "学会", "国家级学会"}
    for row in rows.all():
        expect(row.locator(".name")).not_to_be_empty()
        assert row.locator("td").nth(1).inner_text() in kinds
        assert row.get_by_test_id("cons-reason").inner_text().strip()
    assert "CONS-" not in page.locator("main").inner_text()
    expect(page.locator("#cons-checks tbody tr").first).to_be_visible()
    # checks and reasons in Chinese: the size check is the consortium's, details come from codes
    expect(page.locator("#cons-checks tr[data-check='consortium_size']")).to_contain_text("机构数")
    expect(page.locator("#cons-checks")).not_to_contain_text("members; need")
    expect(page.get_by_test_id("cons-reason").first).not_to_contain_text("covers ")
    expect(page.get_by_test_id("cons-graph")).to_be_visible()
    page.screenshot(path=str(shots / "consortium.png"), full_page=True)
    names = rows.locator(".name").all_inner_texts()
    page.reload()
    expect(page.get_by_test_id("cons-member")).to_have_count(len(names))
    assert page.get_by_test_id("cons-member").locator(".name").all_inner_texts() == names
    page.get_by_role("button", name="确认联合体").click()
    expect(page.get_by_test_id("cons-status")).to_have_text("已确认")


def test_team_exports_excel_and_prints_as_a_meeting_sheet(
    page: Any, keys: dict[str, str], shots: Path, tmp_path: Path
) -> None:
    open_team_page(page, keys["read+write"])
    propose_team(page)
    names = page.get_by_test_id("member").locator("a.name").all_inner_texts()
    with page.expect_download() as info:
        page.get_by_role("button", name="导出 Excel").click()
    target = tmp_path / "team.xlsx"
    info.value.save_as(target)
    assert info.value.suggested_filename == f"{team_id(page)}.xlsx"
    ws = load_workbook(io.BytesIO(target.read_bytes())).active
    assert ws is not None
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "专家服务队：动力电池热管理与数据分析"
    header = next(r for r in rows if r[0] == "序号")
    body = rows[rows.index(header) + 1 :]
    assert sorted(r[1] for r in body) == sorted(names)
    assert all(r[header.index("单位")] for r in body)  # institutions
    assert all(r[header.index("推荐理由")] for r in body)  # the matched evidence
    assert "电子邮箱" not in header  # a key without the contact scope
    facts = {r[0]: r[1] for r in rows[1:8] if r[0]}
    assert facts["企业"] == "重庆渝新智能汽车有限公司" and facts["状态"] == "待确认"

    # print: no navigation, no forms or buttons; the request on top; reasons unfolded
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator("#team-form")).to_be_hidden()
    expect(page.locator("#team-confirm")).to_be_hidden()
    head = page.get_by_test_id("print-head")
    expect(head).to_be_visible()
    expect(head).to_contain_text("动力电池热管理与数据分析")
    expect(head).to_contain_text("重庆渝新智能汽车有限公司")
    expect(head).to_contain_text("待确认")
    expect(page.get_by_test_id("member").first.locator(".evidence li").first).to_be_visible()
    page.screenshot(path=str(shots / "print.png"), full_page=True)
    page.emulate_media(media="screen")
    expect(page.locator("header.top")).to_be_visible()
    expect(page.get_by_test_id("print-head")).to_be_hidden()


def test_contact_details_only_for_contact_keys(page: Any, keys: dict[str, str]) -> None:
    open_team_page(page, keys["read+write"])
    propose_team(page)
    tid = team_id(page)
    r = page.request.get(f"/v1/teams/{tid}", headers={"X-API-Key": keys["read+contact"]})
    assert all("email" in x for x in r.json()["members_info"].values())
    r = page.request.get(f"/v1/teams/{tid}", headers={"X-API-Key": keys["read"]})
    assert all("email" not in x for x in r.json()["members_info"].values())


def test_phone_width_has_no_sideways_scrolling(
    page: Any, keys: dict[str, str], shots: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_team_page(page, keys["read+write"])
    expect(page.locator("#nav")).to_be_visible()
    # the header wraps by words, not one character per line
    assert page.locator("header.top").bounding_box()["height"] < 200
    assert scroll_width(page) <= 390
    propose_team(page)
    assert scroll_width(page) <= 390, scroll_width(page)
    page.screenshot(path=str(shots / "phone.png"), full_page=True)
    for path in ("/ui/cases", "/ui/districts", "/ui/panel", "/ui/consortium"):
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert scroll_width(page) <= 390, (path, scroll_width(page))
    page.goto("/ui/")
    search(page, "电池热管理")
    assert scroll_width(page) <= 390, ("search", scroll_width(page))
