"""The staff web app in a real (offline) chromium: log in, search, read an expert, switch
language, district analytics, CSV export. Screenshots: test-artifacts/screenshots/<page>.png."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect


def login(page: Any, key: str) -> None:
    page.goto("/ui/")
    page.wait_for_url("**/ui/login")
    page.get_by_label("API 密钥").fill(key)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#nav")).to_be_visible()


def search(page: Any, text: str) -> None:
    page.get_by_label("需求或关键词").fill(text)
    page.get_by_role("button", name="检索专家").click()
    expect(page.locator("#results")).to_have_attribute("aria-busy", "false")
    expect(page.get_by_test_id("result").first).to_be_visible()


def test_root_redirects_and_pages_are_self_contained(base_url: str) -> None:
    r = httpx.get(base_url + "/", follow_redirects=True)
    assert r.status_code == 200 and str(r.url).endswith("/ui/")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert 'src="http' not in r.text and 'href="http' not in r.text
    assert (
        httpx.get(base_url + "/ui/static/app.js")
        .headers["content-type"]
        .startswith(("application/javascript", "text/javascript"))
    )
    assert httpx.get(base_url + "/ui/session").status_code == 401
    assert "/ui/session" not in httpx.get(base_url + "/openapi.json").text


def test_login_wrong_key_then_scopes_and_logout(
    page: Any, keys: dict[str, str], shots: Path
) -> None:
    page.goto("/")
    page.wait_for_url("**/ui/login")
    expect(page.get_by_role("heading", name="科协匹配 · 工作人员登录")).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()  # nothing to navigate to before signing in
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("请输入 API 密钥。")
    page.get_by_label("API 密钥").fill("kx_wrong_key")
    page.get_by_label("API 密钥").press("Enter")  # keyboard works
    expect(page.get_by_role("alert")).to_have_text("密钥无效或已被吊销，请检查后重试。")
    page.screenshot(path=str(shots / "login.png"), full_page=True)

    page.get_by_label("API 密钥").fill(keys["read+contact"])
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/ui/")
    who = page.locator("#whoami")
    expect(who).to_contain_text("browser-read-contact")
    assert sorted(who.locator(".scope").evaluate_all("els => els.map(e => e.dataset.scope)")) == [
        "contact",
        "read",
    ]
    expect(who.locator(".scope")).to_have_text(["查询", "联系方式"])
    assert page.evaluate("localStorage.getItem('kexie.apiKey')") == keys["read+contact"]

    page.reload()  # the key survives a reload of the tab
    expect(page.locator("#whoami")).to_be_visible()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/ui/login")
    assert page.evaluate("localStorage.getItem('kexie.apiKey')") is None
    page.goto("/ui/districts")
    page.wait_for_url("**/ui/login")


def test_search_in_chinese_puts_li_na_first_with_explanation(
    page: Any, keys: dict[str, str], shots: Path
) -> None:
    login(page, keys["read"])
    expect(page.get_by_role("heading", name="专家检索", exact=True)).to_be_visible()
    search(page, "电动汽车动力电池热管理")
    first = page.get_by_test_id("result").first
    expect(first.get_by_role("link", name="李娜")).to_be_visible()
    assert first.get_attribute("data-id") == "S3"
    expect(first).to_contain_text("可推荐")
    expect(first).to_contain_text("重庆渝新智能汽车有限公司（企业）")
    expect(first).to_contain_text("渝北区")
    expect(first).to_contain_text("重庆市交通运输学会（高级会员）")
    expect(first.locator("details.explanation")).to_have_attribute("open", "")
    # component scores with weights, matched evidence with year, matched terms, disciplines
    expect(first.locator("tr[data-component='lexical']")).to_contain_text("关键词匹配")
    assert first.locator("tr[data-component]").count() >= 3
    expect(first.locator(".evidence")).to_contain_text("一种车载电池冷却装置")
    expect(first.locator(".evidence")).to_contain_text("（2022）")
    expect(first.locator(".facts-list")).to_contain_text("电池")
    expect(first.locator(".facts-list")).to_contain_text("交通运输工程")
    expect(first.locator(".facts-list")).not_to_contain_text("580")  # names, not codes
    scores = [float(s) for s in page.get_by_test_id("score").all_inner_texts()]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    page.screenshot(path=str(shots / "search.png"), full_page=True)

    # a filter: only university staff → 李娜 (enterprise) is gone
    page.get_by_label("单位类型").select_option("university")
    page.get_by_role("button", name="检索专家").click()
    expect(page.locator("[data-testid=result][data-id=S3]")).to_have_count(0)
    expect(page.locator("#results")).to_have_attribute("aria-busy", "false")
    for facts in page.locator("[data-testid=result] .facts").all_inner_texts():
        assert "（高校）" in facts, facts
    # the district select is filled from the analytics endpoint
    assert "九龙坡区" in page.get_by_label("所在区县").inner_text()


def test_expert_page_shows_evidence_and_graph(page: Any, keys: dict[str, str], shots: Path) -> None:
    login(page, keys["read"])
    search(page, "交通流预测 深度学习")
    page.locator("[data-testid=result][data-id='S1'] a.name").click()
    page.wait_for_url("**/ui/experts/S1")
    expect(page.get_by_role("heading", level=1)).to_contain_text("张伟")
    graph = page.get_by_test_id("graph")
    expect(graph).to_be_visible()
    types = graph.locator("g.node").evaluate_all("els => els.map(e => e.dataset.type)")
    assert types[0] == "scientist"
    assert {"coauthor", "society", "org", "discipline"} <= set(types), types
    assert graph.locator("line").count() == len(types) - 1
    # nodes are laid out inside the view box and apart from each other
    boxes = graph.locator("g.node circle").evaluate_all(
        "els => els.map(e => { const b = e.getBoundingClientRect(); return [b.x, b.y]; })"
    )
    assert len({(round(x), round(y)) for x, y in boxes}) == len(boxes)
    expect(page.locator("section[aria-labelledby=soc-h]")).to_contain_text("重庆市计算机学会")
    expect(page.locator("section[aria-labelledby=soc-h]")).to_contain_text("会士")
    expect(page.locator("section[aria-labelledby=aff-h]")).to_contain_text("重庆大学")
    expect(page.locator("section[aria-labelledby=disc-h]")).to_contain_text("人工智能")
    expect(page.get_by_test_id("evidence")).to_have_count(2)
    assert "zw@example.cn" not in page.content()  # no contact scope
    page.screenshot(path=str(shots / "expert.png"), full_page=True)

    # a co-author node in the graph is a link to that expert (keyboard: focus + Enter)
    page.locator("a.node-link:has(g[data-id='s:S3'])").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/experts/S3")
    expect(page.get_by_role("heading", level=1)).to_contain_text("李娜")
    page.goto("/ui/experts/NOPE")
    expect(page.get_by_role("alert")).to_contain_text("没有编号为 NOPE 的专家")


def test_switch_to_english_and_back_is_remembered(
    page: Any, keys: dict[str, str], shots: Path
) -> None:
    login(page, keys["admin"])
    search(page, "电池热管理")
    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", name="Expert search", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Demand or keywords")).to_have_value(
        "电池热管理"
    )  # the form and results survive
    first = page.get_by_test_id("result").first
    expect(first).to_contain_text("Eligible")
    expect(first).to_contain_text("Keyword match")
    expect(first).to_contain_text("Yubei District")
    expect(first).to_contain_text("重庆渝新智能汽车有限公司 (Enterprise)")
    expect(page.locator("#whoami .scope")).to_have_text(["admin"])
    page.screenshot(path=str(shots / "search-en.png"), full_page=True)
    page.reload()
    expect(page.get_by_role("link", name="Districts")).to_be_visible()
    assert page.evaluate("localStorage.getItem('kexie.lang')") == "en"
    page.get_by_role("button", name="切换到中文").click()
    expect(page.get_by_role("link", name="区县分析")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert page.evaluate("localStorage.getItem('kexie.lang')") == "zh"


def test_every_string_exists_in_both_languages(page: Any, base_url: str) -> None:
    page.goto("/ui/login")
    zh, en = page.evaluate("[Object.keys(I18N.STRINGS.zh), Object.keys(I18N.STRINGS.en)]")
    assert set(zh) == set(en), set(zh) ^ set(en)
    empty = page.evaluate(
        "Object.entries(I18N.STRINGS.en).filter(([k, v]) => !v.trim()).map(([k]) => k)"
    )
    assert not empty


def test_district_analytics_chart_and_tables(page: Any, keys: dict[str, str], shots: Path) -> None:
    login(page, keys["read"])
    page.get_by_role("link", name="区县分析").click()
    page.wait_for_url("**/ui/districts")
    chart = page.get_by_test_id("coverage-chart")
    expect(chart).to_be_visible()
    bars = chart.locator("rect.cov-bar")
    expect(bars).to_have_count(5)
    values = dict(
        zip(
            chart.locator("g.bar-group").evaluate_all("els => els.map(e => e.dataset.code)"),
            (int(v) for v in bars.evaluate_all("els => els.map(e => e.dataset.value)")),
            strict=True,
        )
    )
    assert values["500106"] >= 3 and values["500103"] == 0, values
    line = page.get_by_test_id("target-line")
    assert line.get_attribute("data-value") == "20"
    # horizontal bars, most societies first, every district named on its own row
    shown = [int(v) for v in bars.evaluate_all("els => els.map(e => e.dataset.value)")]
    assert shown == sorted(shown, reverse=True), shown
    ys = bars.evaluate_all("els => els.map(e => e.getBoundingClientRect().y)")
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
    labels = chart.locator("text.bar-label").evaluate_all(
        "els => els.map(e => { const b = e.getBoundingClientRect(); return [b.top, b.bottom]; })"
    )
    assert all(a[1] <= b[0] + 0.5 for a, b in zip(labels, labels[1:], strict=False)), (
        labels
    )  # no overlap
    widths = bars.evaluate_all("els => els.map(e => e.getBBox().width)")
    assert max(widths) > 0
    # the target line lies right of every bar's end (no district reaches 20)
    line_x = float(line.get_attribute("x1"))
    ends = bars.evaluate_all("els => els.map(e => e.getBBox().x + e.getBBox().width)")
    assert all(x < line_x for x in ends)
    legend = page.get_by_test_id("chart-legend")
    expect(legend).to_contain_text("已达标（≥ 20）")
    expect(legend).to_contain_text("未达标（< 20）")
    expect(legend).to_contain_text("目标 20")
    # the shortfall counts districts, not the average
    expect(page.get_by_test_id("short-districts")).to_have_text("5")
    expect(page.get_by_test_id("total-shortfall")).to_have_text(
        str(sum(20 - v for v in values.values()))
    )
    expect(page.locator("#shortfall tbody tr")).to_have_count(5)
    expect(page.locator("#shortfall tbody tr").first).to_contain_text("渝中区")
    expect(page.locator("#counterparts")).to_contain_text("中国计算机学会")
    # lower thresholds → branch / liaison suggestions appear
    page.get_by_label("分会门槛（人）").fill("1")
    page.get_by_label("联络处门槛（人）").fill("1")
    page.get_by_role("button", name="计算建议").click()
    expect(page.locator("#presence tbody tr").first).to_be_visible()
    expect(page.locator("#presence")).to_contain_text("设立分会")
    # the long table has a filter and pages
    visible = page.locator("#presence tbody tr:visible")
    assert 1 <= visible.count() <= 20
    page.locator("#presence-filter").fill("没有这个学会")
    expect(visible).to_have_count(0)
    page.locator("#presence-filter").fill("")
    assert visible.count() >= 1
    expect(page.get_by_test_id("presence-page")).to_contain_text("第 1/")
    # a lower target moves the line
    page.get_by_label("目标学会数").fill("3")
    page.get_by_role("button", name="计算建议").click()
    expect(page.get_by_test_id("target-line")).to_have_attribute("data-value", "3")
    page.get_by_label("目标学会数").fill("20")
    page.get_by_role("button", name="计算建议").click()
    expect(page.get_by_test_id("target-line")).to_have_attribute("data-value", "20")
    page.screenshot(path=str(shots / "districts.png"), full_page=True)


def test_csv_export_of_search_results(page: Any, keys: dict[str, str], tmp_path: Path) -> None:
    login(page, keys["read"])
    expect(page.get_by_role("button", name="导出 CSV")).to_be_disabled()
    search(page, "电动汽车动力电池热管理")
    with page.expect_download() as info:
        page.get_by_role("button", name="导出 CSV").click()
    download = info.value
    assert download.suggested_filename.startswith(
        "kexie-experts-"
    ) and download.suggested_filename.endswith(".csv")
    target = tmp_path / "experts.csv"
    download.save_as(target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["排名", "专家编号", "姓名", "综合得分"]
    assert rows[1][1:3] == ["S3", "李娜"]
    assert "一种车载电池冷却装置 (2022)" in rows[1][rows[0].index("匹配成果")]
    assert rows[1][rows[0].index("学会（等级）")] == "重庆市交通运输学会(高级会员)"
    assert len(rows) == 1 + page.get_by_test_id("result").count()
