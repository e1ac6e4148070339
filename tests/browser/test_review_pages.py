"""The staff's review pages in a real (offline) chromium: an evaluation panel (评审专家组) for an
item of a round, with every excluded candidate's conflict evidence, confirmed; and a review round
(评审轮次) assigned with a chosen solver, with per-item reviewers, per-reviewer loads, the worst
item's relevance, excluded pairs and the audit; URLs that survive a reload; English.
Screenshots: test-artifacts/screenshots/evaluation.png, round.png.

The graph is the purpose-built one of tests/integration/test_review.py (round RND-1, year 2025,
k = 2, L = 2; applicant A1 申报人甲 with a co-author of 2023, a former colleague until 2023 and a
declared conflict; the same people outside their windows)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import neo4j
import pytest
from playwright.sync_api import expect

from matcher.embedding import SentenceTransformerEmbedder
from tests.browser.conftest import load_graph
from tests.browser.test_web import login
from tests.integration.test_review import dataset

CONFLICTED = {"A1", "CO_IN", "COL_IN", "DECL"}


@pytest.fixture(scope="module")
def web_graph(
    driver: neo4j.Driver,
    embedder: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> neo4j.Driver:
    return load_graph(driver, embedder, dataset(tmp_path_factory.mktemp("review") / "d"))


def _ids(locator: Any) -> list[str]:
    ids: list[str] = locator.evaluate_all("els => els.map(e => e.dataset.id)")
    return ids


def test_evaluation_panel_excludes_conflicts_with_evidence_and_confirms(
    page: Any, keys: dict[str, str], shots: Path
) -> None:
    login(page, keys["read+write"])
    page.get_by_role("link", name="项目评审").click()
    page.wait_for_url("**/ui/rounds")
    page.get_by_role("link", name="为单个项目组成评审专家组").click()
    page.wait_for_url("**/ui/evaluation?round=RND-1&item=IT-1")  # the first item, in the URL
    expect(page.get_by_role("link", name="项目评审")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="评审专家组", level=1)).to_be_visible()
    expect(page.get_by_test_id("applicants")).to_have_text("申报人甲")
    expect(page.locator("#ev-item-facts")).to_contain_text("科技奖励推荐")
    expect(page.locator("#ev-panels-h")).to_have_text("本项目的评审专家组（0）")
    page.get_by_label("专家组人数").fill("3")
    page.get_by_label("只看相关度与独立性").check()
    page.get_by_role("button", name="生成评审专家组").click()
    expect(page.get_by_test_id("ev-member")).to_have_count(3)
    members = _ids(page.get_by_test_id("ev-member"))
    assert not set(members) & CONFLICTED, members
    excluded = page.get_by_test_id("ev-excluded")
    assert set(_ids(excluded)) >= CONFLICTED
    # each exclusion names its evidence, in Chinese
    row = page.locator("#ev-excluded tr[data-id='CO_IN']")
    expect(row).to_contain_text("与申报人申报人甲合作《")
    expect(row).to_contain_text("2023；5 年内")
    expect(page.locator("#ev-excluded tr[data-id='COL_IN']")).to_contain_text(
        "曾与申报人申报人甲同在重庆甲大学工作（申报人 2015–至今，评审专家 2010–2023；共事至 2023 年"
    )
    expect(page.locator("#ev-excluded tr[data-id='DECL']")).to_contain_text(
        "有申报的利益冲突：师生关系"
    )
    expect(page.locator("#ev-excluded tr[data-id='A1']")).to_contain_text("本项目申报人")
    # the co-author and colleague outside their windows may sit: never among the excluded
    assert not {"CO_OUT", "COL_OUT"} & set(_ids(excluded))
    independent = page.locator("#ev-checks tr[data-check='independent']")
    expect(independent).to_have_attribute("data-holds", "true")
    expect(independent).to_contain_text("成员均与本项目无利益冲突（回避")
    expect(page.get_by_test_id("policy")).to_contain_text("合作 5 年内、同单位 3 年内")
    page.screenshot(path=str(shots / "evaluation.png"), full_page=True)

    expect(page.get_by_test_id("ev-status")).to_have_text("待确认")
    page.get_by_role("button", name="确认评审专家组").click()
    expect(page.get_by_test_id("ev-status")).to_have_text("已确认")
    expect(page.locator("#ev-panels tr[data-status='confirmed']")).to_have_count(1)

    # English: the same evidence from the codes
    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", name="Evaluation panel", level=1)).to_be_visible()
    expect(page.locator("#ev-members")).to_contain_text("not a member")  # grades have names
    expect(page.locator("#ev-excluded tr[data-id='CO_IN']")).to_contain_text(
        "co-contributor with applicant 申报人甲 on “"
    )
    expect(page.locator("#ev-excluded tr[data-id='COL_IN']")).to_contain_text(
        "together until 2023; within 3 years"
    )
    page.get_by_role("button", name="切换到中文").click()

    # another item from the list; then the link of the first reopens it with its panel
    page.locator("#ev-item").select_option("IT-2")
    page.wait_for_url("**/ui/evaluation?round=RND-1&item=IT-2")
    expect(page.get_by_test_id("applicants")).to_have_text("申报人乙")
    page.goto("/ui/evaluation?round=RND-1&item=IT-1")
    expect(page.locator("#ev-item")).to_have_value("IT-1")
    expect(page.locator("#ev-panels tr[data-status='confirmed']")).to_have_count(1)


def test_round_assignment_with_loads_worst_item_exclusions_and_audit(
    page: Any, keys: dict[str, str], shots: Path
) -> None:
    login(page, keys["read+write"])
    page.get_by_role("link", name="项目评审").click()
    page.wait_for_url("**/ui/rounds")
    page.get_by_role("link", name="2025年度重庆市科技奖励推荐评审（RND-1）").click()
    page.wait_for_url("**/ui/rounds/RND-1")
    expect(page.locator("#rd-items tbody tr")).to_have_count(3)
    expect(page.locator("#rd-audits")).to_have_count(0)
    page.get_by_label("求解方式").select_option("fair")
    page.get_by_role("button", name="分配评审专家").click()
    rows = page.get_by_test_id("rd-item")
    expect(rows).to_have_count(3)
    expect(page.locator("#rd-result-h")).to_have_text("分配方案（公平（先保最差项目））")
    for item in ("IT-1", "IT-2", "IT-3"):  # k = 2 each, no conflicted reviewer
        reviewers = _ids(page.locator(f"#rd-assignment tr[data-item='{item}'] li"))
        assert len(reviewers) == 2, (item, reviewers)
        if item in ("IT-1", "IT-3"):
            assert not set(reviewers) & CONFLICTED, (item, reviewers)
    loads = page.get_by_test_id("rd-reviewer").evaluate_all(
        "els => els.map(e => Number(e.dataset.load))"
    )
    assert sum(loads) == 6 and max(loads) <= 2
    means = [float(x) for x in page.locator("#rd-assignment td.num").all_inner_texts()]
    shown_min = float(page.get_by_test_id("min-item-relevance").inner_text())
    assert abs(min(means) - shown_min) < 1e-3
    expect(page.locator("#rd-assignment tr.worst")).not_to_have_count(0)
    expect(page.get_by_test_id("baseline")).to_be_visible()
    co_in = page.locator("#rd-excluded tr[data-item='IT-1'][data-id='CO_IN']")
    expect(co_in).to_contain_text("与申报人申报人甲合作《")
    assert set(
        page.locator("#rd-checks tbody tr").evaluate_all("els => els.map(e => e.dataset.holds)")
    ) == {"true"}
    expect(page.locator("#rd-checks tr[data-check='max_load']")).to_contain_text("（上限 2 项）")
    expect(page.get_by_test_id("rd-audit")).to_have_count(1)
    expect(page.get_by_test_id("rd-audit").first).to_contain_text("公平")
    page.screenshot(path=str(shots / "round.png"), full_page=True)

    # the greedy baseline as a second run: a second audit record
    page.get_by_label("求解方式").select_option("greedy")
    page.get_by_role("button", name="分配评审专家").click()
    expect(page.get_by_test_id("rd-audit")).to_have_count(2)
    # a reload shows the stored assignment, the link of an item opens its evaluation page
    page.reload()
    expect(page.locator("#rd-stored tbody tr")).to_have_count(3)
    expect(page.locator("#rd-result")).to_contain_text("求解器 greedy")
    page.locator("#rd-items a", has_text="IT-2").click()
    page.wait_for_url("**/ui/evaluation?round=RND-1&item=IT-2")
    expect(page.get_by_test_id("applicants")).to_have_text("申报人乙")
