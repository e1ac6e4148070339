"""The Neo4j life cycle commands, against a real, separate server instance."""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from api.config import get_settings
from kexie.cli import app
from kexie.localserver import JavaNotFoundError, LocalNeo4j, PortInUseError, find_java

runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def cli_env(tmp_path: Path, test_server: LocalNeo4j) -> Iterator[dict[str, str]]:
    env = {
        "KEXIE_NEO4J_PORT": str(_free_port()),
        "KEXIE_NEO4J_DIR": str(tmp_path / "neo4j"),
        "KEXIE_NEO4J_HEAP": "512m",
        "KEXIE_NEO4J_PAGECACHE": "64m",
        "KEXIE_JAR_CACHE": str(test_server.jar_cache),
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    get_settings.cache_clear()
    yield env
    runner.invoke(app, ["neo4j", "stop"])
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    get_settings.cache_clear()


def test_start_status_stop_through_the_cli(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["neo4j", "status"])
    assert result.exit_code == 3 and "stopped" in result.output

    result = runner.invoke(app, ["neo4j", "start"])
    assert result.exit_code == 0, result.output
    assert f"127.0.0.1:{cli_env['KEXIE_NEO4J_PORT']}" in result.output

    status = runner.invoke(app, ["neo4j", "status", "--json"])
    assert status.exit_code == 0
    data = json.loads(status.output)
    assert data["running"] and data["pid"] and data["version"]

    # Starting again is a no-op; the password was generated and kept in the instance folder.
    assert runner.invoke(app, ["neo4j", "start"]).exit_code == 0
    password_file = Path(cli_env["KEXIE_NEO4J_DIR"]) / "password"
    assert len(password_file.read_text().strip()) >= 16

    migrate = runner.invoke(app, ["db", "migrate"])
    assert migrate.exit_code == 0 and "applied 1" in migrate.output
    again = runner.invoke(app, ["db", "migrate"])
    assert "nothing to apply" in again.output
    stats = runner.invoke(app, ["stats", "--json"])
    assert json.loads(stats.output)["labels"]["KexieMigration"] >= 3
    # The page-cache warm-up reads every node (here: the migration records) and says so.
    warm = runner.invoke(app, ["db", "warm"])
    assert warm.exit_code == 0, warm.output
    read = re.search(r"read ([\d,]+) nodes and ([\d,]+) relationships", warm.output)
    assert read, warm.output
    assert int(read[1].replace(",", "")) >= json.loads(stats.output)["labels"]["KexieMigration"]

    stop = runner.invoke(app, ["neo4j", "stop"])
    assert stop.exit_code == 0 and "Stopped" in stop.output
    assert runner.invoke(app, ["neo4j", "status"]).exit_code == 3
    # With the server gone, commands fail with a clear message, not a traceback (how soon is
    # the driver's connection timeout: graph_schema.open_driver).
    down = runner.invoke(app, ["stats"])
    assert down.exit_code == 1 and "not reachable" in down.output


def test_a_password_that_looks_like_an_option_is_set_not_parsed(
    tmp_path: Path, test_server: LocalNeo4j
) -> None:
    # CI once drew a generated password beginning with "-": neo4j-admin took it for an option
    # and every test errored at set-up. A password kept in the folder may still begin so.
    server = LocalNeo4j(
        tmp_path / "n",
        port=_free_port(),
        jar_cache=test_server.jar_cache,
        heap="512m",
        pagecache="64m",
    )
    server.home.mkdir(parents=True)
    server.password_file.write_text("-Xoption-like-password_1")
    try:
        assert server.start(timeout=240) == "-Xoption-like-password_1"
        with neo4j.GraphDatabase.driver(
            server.uri, auth=("neo4j", "-Xoption-like-password_1")
        ) as driver:
            assert driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1
    finally:
        server.stop()


def test_generated_passwords_are_letters_and_digits(tmp_path: Path) -> None:
    for i in range(200):
        pw = LocalNeo4j(tmp_path / str(i), port=1, jar_cache=tmp_path).password()
        assert len(pw) >= 16 and pw.isascii() and pw.isalnum(), pw


def test_port_taken_fails_fast_with_a_clear_message(
    tmp_path: Path, test_server: LocalNeo4j
) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        server = LocalNeo4j(tmp_path / "n", port=port, jar_cache=test_server.jar_cache)
        with pytest.raises(PortInUseError, match=str(port)):
            server.start()
        # Refused before anything was set up or launched (no Java, no configuration, no pid).
        assert server.pid() is None
        assert not (server.home / "conf").exists() and not server.version_file.exists()


def test_missing_java_is_explained() -> None:
    with pytest.raises(JavaNotFoundError, match="Java 99 or newer"):
        find_java(minimum=99)
    java = find_java()
    assert java.major >= 17 and java.executable.is_file()
