"""The staff's team (专家服务队) and panel (智库专家组) pages in a real (offline) chromium: propose,
explain, swap, lock and re-solve, confirm, feedback, CSV export, infeasible requests, quotas,
lottery, language switch. Screenshots: test-artifacts/screenshots/team.png, panel.png."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx
import neo4j
import pytest
from playwright.sync_api import expect

from matcher.embedding import SentenceTransformerEmbedder
from tests.browser.conftest import formation_dataset, load_graph, web_dataset
from tests.browser.test_web import login

DEMAND = {
    "title": "动力电池热管理与数据分析",
    "text": "我司电池包快充时温差过大，需要电池热管理与运行数据分析方面的专家提供技术咨询。",
}


@pytest.fixture(scope="module")
def web_graph(
    driver: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> neo4j.Driver:
    """The web dataset plus experts enough for teams of two with swap options, and panels."""
    folder = formation_dataset(web_dataset(tmp_path_factory.mktemp("formation") / "d"))
    return load_graph(driver, embedder, folder)


def open_team_page(page: Any, key: str) -> None:
    login(page, key)
    page.get_by_role("link", name="专家服务队").click()
    page.wait_for_url("**/ui/team")
    expect(page.get_by_role("heading", name="专家服务队", level=1)).to_be_visible()


def propose_team(
    page: Any, *, k: int = 2, skills: tuple[str, ...] = ("电池热管理", "数据分析")
) -> None:
    page.get_by_label("需求标题").fill(DEMAND["title"])
    page.get_by_label("需求描述").fill(DEMAND["text"])
    pick_enterprise(page)
    for s in skills:  # Enter adds a chip
        page.locator("#skill-input").fill(s)
        page.locator("#skill-input").press("Enter")
    expect(page.locator("#skill-chips li.chip")).to_have_count(len(skills))
    page.get_by_label("最少人数").fill(str(k))
    page.get_by_label("最多人数").fill(str(k))
    page.get_by_role("button", name="生成服务队").click()
    expect(page.get_by_test_id("team-status")).to_have_text("待确认")
    expect(page.get_by_test_id("member")).to_have_count(k)


def member_ids(page: Any) -> list[str]:
    ids: list[str] = page.get_by_test_id("member").evaluate_all("els => els.map(e => e.dataset.id)")
    return ids


def pick_enterprise(page: Any, text: str = "渝新", name: str = "重庆渝新智能汽车有限公司") -> None:
    """Type part of the enterprise's name and choose it from the type-ahead list."""
    page.get_by_label("企业", exact=True).fill(text)
    option = page.locator("#team-enterprise-list li[data-id]").filter(has_text=name)
    expect(option).to_have_count(1)
    option.click()
    expect(page.get_by_label("企业", exact=True)).to_have_value(name)


def team_id(page: Any) -> str:
    tid: str = page.locator(".team-head").first.get_attribute("data-formation-id")
    assert tid.startswith("TEAM-"), tid
    return tid


def test_team_is_explained_with_checks_coi_and_graph(
    page: Any, keys: dict[str, str], shots: Path
) -> None:
    open_team_page(page, keys["read+write"])
    propose_team(page)
    ids = member_ids(page)
    assert not {"S1", "S3"} & set(ids), ids  # E-AUTO's staff and its declared conflict
    first = page.get_by_test_id("member").first
    expect(first.locator("a.name")).to_have_attribute("href", f"/ui/experts/{ids[0]}")
    expect(first.locator(".bar")).to_be_visible()
    expect(first).to_contain_text("覆盖技能")
    expect(first.locator(".evidence li").first).to_be_visible()
    # every constraint holds, each with its detail
    rows = page.locator("#checks tbody tr")
    assert rows.count() == 6
    assert set(rows.evaluate_all("els => els.map(e => e.dataset.holds)")) == {"true"}
    expect(page.locator("#checks tr[data-check='skill_coverage']")).to_contain_text("技能全覆盖")
    # the server's detail arrives as a code and is rendered in Chinese: no English on the page
    expect(page.locator("#checks tr[data-check='skill_coverage']")).to_contain_text(
        "覆盖 2/2 项技能"
    )
    expect(page.locator("#checks")).not_to_contain_text("skills covered")
    # skills coverage table, objective parts
    for s in ("电池热管理", "数据分析"):
        expect(page.locator(f"#skills tr[data-skill='{s}'] .mark.ok")).to_have_count(1)
    expect(page.locator("#objective tr[data-part='relevance_sum']")).to_contain_text("相关度之和")
    expect(page.locator("#objective tr[data-part='comm_cost_sum']")).to_contain_text("-0.3")
    # the excluded candidates name the conflict of interest
    excluded = page.locator("#excluded")
    for sid, name in (("S1", "张伟"), ("S3", "李娜")):
        expect(excluded.locator(f"tr[data-id='{sid}']")).to_contain_text(name)
        expect(excluded.locator(f"tr[data-id='{sid}']")).to_contain_text(
            "与重庆渝新智能汽车有限公司存在利益冲突"
        )
    # the graph: the demand, the members, their institutions and the ties between members
    graph = page.get_by_test_id("team-graph")
    expect(graph).to_be_visible()
    types = graph.locator("g.node").evaluate_all("els => els.map(e => e.dataset.type)")
    assert types[0] == "request" and types.count("member") == 2 and "institution" in types, types
    assert graph.locator("line[data-kind='works']").count() == 2
    ties = page.get_by_test_id("tie")
    if ties.count():  # the tiny graph's best pair co-authored a paper
        assert graph.locator("line[data-kind='tie']").count() == ties.count()
        expect(ties.first).to_contain_text("合作成果")
    boxes = graph.locator("g.node circle").evaluate_all(
        "els => els.map(e => { const b = e.getBoundingClientRect(); return [b.x, b.y]; })"
    )
    assert len({(round(x), round(y)) for x, y in boxes}) == len(boxes)
    page.screenshot(path=str(shots / "team.png"), full_page=True)
    # a member node links to the expert page
    page.locator(f"a.node-link:has(g[data-id='s:{ids[0]}'])").click()
    page.wait_for_url(f"**/ui/experts/{ids[0]}")


def test_swap_lock_feedback_confirm_and_export(
    page: Any, keys: dict[str, str], base_url: str, tmp_path: Path
) -> None:
    open_team_page(page, keys["read+write"])
    propose_team(page)
    before, first_team = member_ids(page), team_id(page)

    # swap: options with the objective change, every one keeping the constraints
    out = before[-1]
    page.locator(f"[data-testid=member][data-id='{out}'] [data-action=swap]").click()
    options = page.get_by_test_id("swap-option")
    expect(options.first).to_be_visible()
    expect(page.get_by_test_id("swap")).to_contain_text("目标变化")
    expect(options.first).to_contain_text("6/6 项满足")
    incoming = options.first.get_attribute("data-id")
    assert incoming not in before and incoming not in {"S1", "S3"}
    options.first.get_by_role("button", name="选用").click()
    expect(page.locator(".notice")).to_contain_text("替换")
    after = member_ids(page)
    assert incoming in after and out not in after and len(after) == 2
    expect(page.get_by_test_id("superseded")).to_have_text("已有 1 个被替换的方案作废")
    assert team_id(page) != first_team
    page.wait_for_url(f"**/ui/team/{team_id(page)}")  # the URL follows the shown team
    assert set(
        page.locator("#checks tbody tr").evaluate_all("els => els.map(e => e.dataset.holds)")
    ) == {"true"}
    key = {"X-API-Key": keys["read+write"]}
    assert (
        httpx.get(f"{base_url}/v1/teams/{first_team}", headers=key).json()["status"] == "declined"
    )
    expect(page.locator(f"#excluded tr[data-id='{out}']")).to_contain_text("工作人员排除")

    # lock one member, re-solve: the locked member stays, marked
    keep = after[0]
    page.locator(f"[data-testid=member][data-id='{keep}'] [data-action=lock]").click()
    expect(
        page.locator(f"[data-testid=member][data-id='{keep}'] [data-action=lock]")
    ).to_have_attribute("aria-pressed", "true")
    resolve = page.locator("#team-resolve")
    expect(resolve).to_contain_text("锁定 1")
    resolve.click()
    expect(page.locator(".notice")).to_contain_text("已按锁定与排除重新组队")
    expect(
        page.locator(f"[data-testid=member][data-id='{keep}'] [data-testid=locked]")
    ).to_be_visible()
    expect(page.locator("#checks tr[data-check='locked']")).to_contain_text("已锁定的 1 人均在其中")
    expect(page.locator("#team-resolve")).to_be_disabled()
    tid = team_id(page)

    # feedback per member: accepted + rating, and a comment that looks like a formula
    card = page.locator(f"[data-testid=member][data-id='{keep}']")
    card.get_by_label("是否接受 · ", exact=False).select_option("true")
    card.get_by_label("评分 · ", exact=False).select_option("5")
    card.get_by_label("备注 · ", exact=False).fill('=HYPERLINK("http://x")')
    card.get_by_role("button", name="保存反馈").click()
    expect(card.get_by_test_id("fb-status")).to_have_text("反馈已保存")
    rec = httpx.get(f"{base_url}/v1/teams/{tid}", headers=key).json()
    mine = next(m for m in rec["members"] if m["id"] == keep)
    assert mine["accepted"] is True and mine["rating"] == 5

    # confirm: the team is frozen
    page.get_by_role("button", name="确认服务队").click()
    expect(page.get_by_test_id("team-status")).to_have_text("已确认")
    expect(page.locator("[data-action=swap]").first).to_be_disabled()
    assert httpx.get(f"{base_url}/v1/teams/{tid}", headers=key).json()["status"] == "confirmed"

    # export: UTF-8 with BOM, localised headers, the members, formula-guarded cells
    with page.expect_download() as info:
        page.locator("#team-export").click()
    download = info.value
    assert download.suggested_filename.startswith(f"kexie-team-{tid}-")
    target = tmp_path / "team.csv"
    download.save_as(target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["序号", "专家编号", "姓名", "角色"]
    assert [r[1] for r in rows[1:]] == member_ids(page)
    row = next(r for r in rows[1:] if r[1] == keep)
    assert row[rows[0].index("是否接受")] == "是" and row[rows[0].index("评分")] == "5"
    assert row[rows[0].index("备注")] == '\'=HYPERLINK("http://x")'
    assert "电池热管理" in ";".join(r[rows[0].index("覆盖技能")] for r in rows[1:])


def test_a_page_left_while_loading_keeps_off_the_focus(page: Any, keys: dict[str, str]) -> None:
    """The search page the staff land on after login loads the districts; a staff member who moves
    on to the team page before that load ends and starts typing an enterprise keeps the focus and
    the open list when the search page's load ends behind them (it used to move the focus to the
    page body, which closed the type-ahead list under the pointer)."""
    held: list[Any] = []

    def hold(route: Any) -> None:
        held.append(route)

    page.route("**/v1/analytics/districts", hold)
    open_team_page(page, keys["read+write"])
    ent = page.get_by_label("企业", exact=True)
    ent.fill("渝新")
    option = page.locator("#team-enterprise-list li[data-id]").filter(
        has_text="重庆渝新智能汽车有限公司"
    )
    expect(option).to_be_visible()
    assert len(held) == 1, "the search page's districts request was not held"
    with page.expect_response("**/v1/analytics/districts"):
        held[0].continue_()
    page.wait_for_timeout(500)  # longer than the type-ahead's close-on-blur delay (120 ms)
    expect(ent).to_be_focused()
    expect(option).to_be_visible()
    option.click()
    expect(ent).to_have_value("重庆渝新智能汽车有限公司")


def test_form_validation_unknown_enterprise_and_infeasible(
    page: Any, keys: dict[str, str], shots: Path
) -> None:
    open_team_page(page, keys["read+write"])
    page.get_by_role("button", name="生成服务队").click()
    expect(page.get_by_role("alert")).to_have_text("请填写标题。")
    page.get_by_label("需求标题").fill("电池热管理咨询")
    # a name typed but not chosen from the list is not an enterprise (ids are never typed)
    page.get_by_label("企业", exact=True).fill("没有这家企业")
    expect(page.locator("#team-enterprise-list")).to_contain_text("没有找到")
    page.get_by_role("button", name="生成服务队").click()
    expect(page.locator("#team-enterprise-err")).to_contain_text("请从下拉列表中选择企业")
    expect(page.get_by_label("企业", exact=True)).to_have_attribute("aria-invalid", "true")
    # five seniors from five institutions: the graph has four seniors outside E-AUTO
    pick_enterprise(page)
    page.locator("#skill-input").fill("电池热管理")
    page.get_by_role("button", name="添加技能").click()
    page.get_by_label("最少人数").fill("5")
    page.get_by_label("最多人数").fill("5")
    page.get_by_label("资深成员至少").fill("5")
    page.get_by_label("同一单位至多").fill("1")
    page.get_by_role("button", name="生成服务队").click()
    box = page.get_by_test_id("infeasible")
    expect(box).to_be_visible()
    expect(box).to_contain_text("无法组成满足全部约束的服务队")
    assert box.locator(".infeasible-reasons li").count() >= 1
    expect(box.locator(".advice")).to_contain_text("建议")
    expect(page.get_by_test_id("member")).to_have_count(0)
    # a key without the write scope is told so
    page.get_by_role("button", name="退出登录").click()
    open_team_page(page, keys["read"])
    page.get_by_label("需求标题").fill("电池热管理咨询")
    pick_enterprise(page)
    page.get_by_role("button", name="生成服务队").click()
    expect(page.get_by_test_id("error")).to_contain_text("没有此操作的权限")


def test_panel_with_quotas_lottery_and_export(
    page: Any, keys: dict[str, str], shots: Path, tmp_path: Path, base_url: str
) -> None:
    login(page, keys["read+write"])
    page.get_by_role("link", name="智库专家组").click()
    page.wait_for_url("**/ui/panel")
    page.get_by_label("课题标题").fill("成渝地区新能源汽车动力电池产业协同发展")
    page.get_by_label("课题说明").fill("研究电池热管理、数据分析与产业政策。")
    page.get_by_label("委托单位").fill("重庆市经济和信息化委员会")
    page.get_by_label("专家组人数").fill("4")
    page.get_by_role("button", name="生成专家组").click()
    expect(page.get_by_test_id("panel-member")).to_have_count(4)
    quotas = page.get_by_test_id("quota-row")
    assert quotas.evaluate_all("els => els.map(e => e.dataset.quota)") == [
        "senior",
        "young",
        "enterprise",
        "academic",
        "disciplines",
        "per_institution",
    ]
    assert set(quotas.evaluate_all("els => els.map(e => e.dataset.holds)")) == {"true"}
    expect(page.locator("#quotas tr[data-quota='young']")).to_contain_text("青年专家至少")
    expect(page.locator("#panel-members")).to_contain_text("企业界")
    expect(page.locator("#panel-members")).to_contain_text("高校界")
    expect(page.locator("#diversity dd[data-div='n_disciplines']")).not_to_be_empty()
    graph = page.get_by_test_id("panel-graph")
    types = graph.locator("g.node").evaluate_all("els => els.map(e => e.dataset.type)")
    assert types[0] == "request" and types.count("member") == 4 and "institution" in types
    page.screenshot(path=str(shots / "panel.png"), full_page=True)

    with page.expect_download() as info:
        page.locator("#panel-export").click()
    target = tmp_path / "panel.csv"
    info.value.save_as(target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:5] == ["序号", "专家编号", "姓名", "单位", "界别"] and len(rows) == 5
    page.get_by_role("button", name="确认专家组").click()
    expect(page.get_by_test_id("panel-status")).to_have_text("已确认")

    # conflicting quotas: relaxed with the reasons shown
    page.get_by_label("专家组人数").fill("3")
    page.get_by_label("青年专家至少").fill("3")
    page.get_by_label("资深专家至少").fill("3")
    page.get_by_label("配额冲突时放宽").check()
    page.get_by_role("button", name="生成专家组").click()
    expect(page.get_by_test_id("relaxed")).to_be_visible()
    expect(page.locator("#quotas .badge.warn").first).to_have_text("已放宽")
    # a lottery: each member's selection probability
    page.get_by_label("资深专家至少").fill("1")
    for quota in ("青年专家至少", "企业界至少", "高校界至少", "学科数至少"):
        page.get_by_label(quota).fill("0")
    page.get_by_label("抽签上限 q").fill("0.8")
    page.get_by_label("抽签种子").fill("7")
    page.get_by_role("button", name="生成专家组").click()
    expect(page.get_by_test_id("probability")).to_have_count(3)
    for p in page.get_by_test_id("probability").all_inner_texts():
        assert 0 < float(p.rstrip("%")) <= 80.0 + 1e-6, p
    expect(page.locator("#lottery")).to_be_visible()


def test_switch_language_on_team_and_panel_pages(page: Any, keys: dict[str, str]) -> None:
    open_team_page(page, keys["admin"])
    propose_team(page)
    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", name="Expert service team", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Service teams")).to_have_attribute("aria-current", "page")
    expect(page.get_by_label("Title", exact=True)).to_have_value(DEMAND["title"])  # form survives
    expect(page.locator("#checks")).to_contain_text("Every skill covered")
    expect(page.get_by_test_id("team-status")).to_have_text("Proposed")
    # the enterprise by its name, never its id
    expect(page.locator("#excluded")).to_contain_text("conflict of interest with 重庆渝新智能汽车")
    expect(page.locator("#excluded")).not_to_contain_text("E-AUTO")
    expect(page.get_by_role("button", name="Export CSV")).to_be_visible()
    page.get_by_role("link", name="Panels").click()
    expect(page.get_by_role("heading", name="Think-tank panel", level=1)).to_be_visible()
    expect(page.get_by_label("Young at least")).to_be_visible()
    page.get_by_role("button", name="切换到中文").click()
    expect(page.get_by_role("heading", name="智库专家组", level=1)).to_be_visible()
    page.get_by_role("link", name="专家服务队").click()
    expect(page.get_by_test_id("member")).to_have_count(2)  # the team is still there
    expect(page.locator("#checks")).to_contain_text("技能全覆盖")
