"""Every coded sentence the server can send has a Chinese and an English template in the web app.

The codes are read from the source (every ``Msg("code", …)`` call in ``matcher``, ``api`` and
``graph_schema``), the templates from ``api/web/static/messages.js``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from api.messages import with_codes
from matcher.types import Msg

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "api" / "web" / "static" / "messages.js"


def _codes_in_source() -> dict[str, str]:
    codes: dict[str, str] = {}
    for package in ("matcher", "api", "graph_schema"):
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "matcher" / "types.py":  # defines Msg (and rebuilds copies)
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "Msg"
                ):
                    continue
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{path.relative_to(ROOT)}:{node.lineno}: a Msg code must be a literal string"
                )
                codes[first.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return codes


def _templates(lang: str) -> set[str]:
    text = CATALOGUE.read_text(encoding="utf-8")
    start = text.index(f"    {lang}: {{")
    end = text.index("\n    },", start)
    return set(re.findall(r'^\s+"([a-z_.]+)": ', text[start:end], flags=re.M))


def test_the_source_sends_codes() -> None:
    codes = _codes_in_source()
    assert len(codes) > 60
    assert {"team.too_few_allowed", "check.quota", "advice.relax_one_of"} <= set(codes)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_code_has_a_template(lang: str) -> None:
    missing = {c: where for c, where in _codes_in_source().items() if c not in _templates(lang)}
    assert not missing, f"no {lang} template in messages.js for {missing}"


def test_templates_are_not_left_over() -> None:
    # a template whose code nothing sends any more is dead text
    sent = set(_codes_in_source()) | {"text"}
    assert _templates("zh") - sent == set()
    assert _templates("zh") == _templates("en")


def test_codes_travel_beside_the_text() -> None:
    body = with_codes(
        {
            "reasons": [Msg("team.too_few_allowed", "only 1 …", have=1, need=2), "plain"],
            "checks": [{"name": "team_size", "detail": Msg("check.team_size", "3 …", have=3)}],
        }
    )
    assert body["reasons"] == ["only 1 …", "plain"]
    assert body["reasons_codes"] == [
        {"code": "team.too_few_allowed", "params": {"have": 1, "need": 2}},
        {"code": "text", "params": {"text": "plain"}},
    ]
    assert body["checks"][0]["detail_code"] == {"code": "check.team_size", "params": {"have": 3}}
    assert type(body["checks"][0]["detail"]) is str
