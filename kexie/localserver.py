"""A local Neo4j Community server, run from Maven Central's jars, with no Docker.

The jars of one Neo4j version are resolved once with Maven into a cache outside git
(``~/.cache/kexie/neo4j/<version>/lib``). Each *instance* (the user's, the tests') has its own
folder with ``conf/``, ``data/``, ``logs/`` and ``run/``, its own Bolt port and its own
generated password. ``start`` waits until the database answers a query, and fails with a
clear error instead of hanging: Java or Maven missing, port taken, download failed, server
died (with the tail of its log).

Version choice: the newest pinned calendar release when a JDK 21+ is found, else the 5.26 LTS
line on Java 17.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import neo4j
from neo4j.exceptions import AuthError, ServiceUnavailable

from api.config import NEO4J_VERSION_JAVA17, NEO4J_VERSION_JAVA21
from graph_schema.connection import ping

__all__ = [
    "LocalServerError",
    "JavaNotFoundError",
    "MavenError",
    "PortInUseError",
    "StartTimeoutError",
    "ServerDiedError",
    "Java",
    "find_java",
    "LocalNeo4j",
    "ServerStatus",
]

logger = logging.getLogger(__name__)

_PASSWORD_ALPHABET = string.ascii_letters + string.digits

_JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+DisableExplicitGC",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dlog4j2.disable.jmx=true",
)


class LocalServerError(RuntimeError):
    """Base of the local server's errors; the message says what to do."""


class JavaNotFoundError(LocalServerError):
    pass


class MavenError(LocalServerError):
    pass


class PortInUseError(LocalServerError):
    pass


class StartTimeoutError(LocalServerError):
    pass


class ServerDiedError(LocalServerError):
    pass


@dataclass(frozen=True)
class Java:
    """A JDK found on this machine."""

    executable: Path
    major: int

    @property
    def home(self) -> Path:
        return self.executable.parent.parent


def _java_major(executable: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(executable), "-version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_java(preferred: Path | None = None, *, minimum: int = 17) -> Java:
    """Find the newest usable JDK.

    Looks at ``preferred`` (``KEXIE_JAVA_HOME``), ``JAVA_HOME``, every JDK under
    ``/usr/lib/jvm``, then ``java`` on ``PATH``; takes the highest major version.

    Raises:
        JavaNotFoundError: when no JDK of at least ``minimum`` is found.
    """
    candidates: list[Path] = []
    for home in (preferred, os.environ.get("JAVA_HOME")):
        if home:
            candidates.append(Path(home) / "bin" / "java")
    jvm_root = Path("/usr/lib/jvm")
    if jvm_root.is_dir():
        candidates.extend(sorted(p / "bin" / "java" for p in jvm_root.iterdir()))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(on_path).resolve())
    found: list[Java] = []
    seen: set[Path] = set()
    for exe in candidates:
        if not exe.is_file() or exe.resolve() in seen:
            continue
        seen.add(exe.resolve())
        major = _java_major(exe)
        if major is not None:
            found.append(Java(exe, major))
    if preferred and found and found[0].executable == Path(preferred) / "bin" / "java":
        if found[0].major >= minimum:
            return found[0]
    usable = [j for j in found if j.major >= minimum]
    if not usable:
        seen_text = ", ".join(f"{j.executable} ({j.major})" for j in found) or "none"
        raise JavaNotFoundError(
            f"Neo4j needs Java {minimum} or newer (21+ for the current release); found: "
            f"{seen_text}. Install one (apt-get install openjdk-17-jre-headless) or set "
            "KEXIE_JAVA_HOME."
        )
    return max(usable, key=lambda j: j.major)


def neo4j_version_for(java: Java) -> str:
    """The pinned Neo4j version that runs on this JDK."""
    return NEO4J_VERSION_JAVA21 if java.major >= 21 else NEO4J_VERSION_JAVA17


def main_class_for(version: str) -> str:
    return (
        "org.neo4j.server.CommunityEntryPoint"
        if version.startswith("5.")
        else ("org.neo4j.server.Neo4jCommunity")
    )


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on ``host:port`` and we may bind it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    port: int
    version: str | None
    home: Path
    uri: str


class LocalNeo4j:
    """One local Neo4j instance: its folder, port, version and password.

    Args:
        home: the instance folder (``conf/``, ``data/``, ``logs/``, ``run/`` live here).
        port: Bolt port on 127.0.0.1.
        jar_cache: where the jars of each version are kept.
        version: Neo4j version; empty picks the newest pinned one for the JDK found.
        heap: JVM heap (``-Xmx``), e.g. ``1g``.
        pagecache: page cache size, e.g. ``512m``.
        java_home: a JDK to prefer.

    Example::

        server = LocalNeo4j(Path(".kexie/neo4j"), port=7687, jar_cache=Path("~/.cache/kexie"))
        password = server.start()
        ...
        server.stop()
    """

    def __init__(
        self,
        home: Path,
        *,
        port: int,
        jar_cache: Path,
        version: str = "",
        heap: str = "1g",
        pagecache: str = "512m",
        java_home: Path | None = None,
    ) -> None:
        self.home = home.resolve()
        self.port = port
        self.jar_cache = jar_cache.expanduser()
        self._version = version
        self.heap = heap
        self.pagecache = pagecache
        self.java_home = java_home

    # -- paths -----------------------------------------------------------------------------
    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "kexie-neo4j.pid"

    @property
    def password_file(self) -> Path:
        return self.home / "password"

    @property
    def version_file(self) -> Path:
        return self.home / "version"

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def lib_dir(self, version: str) -> Path:
        return self.jar_cache / version / "lib"

    # -- state -----------------------------------------------------------------------------
    def pid(self) -> int | None:
        """The pid of the running server, or None (a stale pid file is removed)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ProcessLookupError):
            self.pid_file.unlink(missing_ok=True)
            return None
        if str(self.home).encode() not in cmdline:
            self.pid_file.unlink(missing_ok=True)
            return None
        return pid

    def password(self) -> str:
        """The instance's password, generated on first use and kept in its folder."""
        if self.password_file.is_file():
            return self.password_file.read_text().strip()
        self.home.mkdir(parents=True, exist_ok=True)
        # Letters and digits only: nothing a shell or a command line would read as an option.
        pw = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(24))
        self.password_file.write_text(pw)
        self.password_file.chmod(0o600)
        return pw

    def status(self) -> ServerStatus:
        version = self.version_file.read_text().strip() if self.version_file.is_file() else None
        pid = self.pid()
        return ServerStatus(pid is not None, pid, self.port, version, self.home, self.uri)

    # -- set-up ----------------------------------------------------------------------------
    def resolve_version(self, java: Java) -> str:
        if self.version_file.is_file():
            pinned = self.version_file.read_text().strip()
            if self._version and self._version != pinned:
                raise LocalServerError(
                    f"{self.home} holds a Neo4j {pinned} store; remove the folder to switch "
                    f"to {self._version}"
                )
            version = pinned
        else:
            version = self._version or neo4j_version_for(java)
        if not version.startswith("5.") and java.major < 21:
            raise JavaNotFoundError(
                f"Neo4j {version} needs Java 21 or newer; {java.executable} is Java {java.major}. "
                "Install a JDK 21+ or set KEXIE_NEO4J_VERSION=5.26.30."
            )
        return version

    def ensure_jars(self, version: str, *, retries: int = 3) -> Path:
        """Resolve the server's jars with Maven into the cache (once per version).

        Raises:
            MavenError: Maven is missing or the download failed after ``retries`` tries.
        """
        lib = self.lib_dir(version)
        marker = lib.parent / ".complete"
        if marker.is_file():
            return lib
        mvn = shutil.which("mvn")
        if mvn is None:
            raise MavenError(
                "Maven (mvn) is needed to fetch Neo4j's jars from Maven Central: "
                "apt-get install maven"
            )
        lib.parent.mkdir(parents=True, exist_ok=True)
        pom = lib.parent / "pom.xml"
        pom.write_bytes(resources.files("kexie").joinpath("neo4j_pom.xml").read_bytes())
        partial = lib.parent / "lib.partial"
        shutil.rmtree(partial, ignore_errors=True)
        cmd = [
            mvn,
            "-B",
            "-q",
            "-f",
            str(pom),
            f"-Dneo4j.version={version}",
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={partial}",
        ]
        logger.info("Fetching Neo4j %s jars from Maven Central into %s", version, lib)
        last = ""
        for attempt in range(1, retries + 1):
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode == 0 and any(partial.glob("neo4j-kernel-*.jar")):
                shutil.rmtree(lib, ignore_errors=True)
                partial.rename(lib)
                marker.write_text(version)
                return lib
            last = (proc.stdout + proc.stderr)[-2000:]
            logger.warning("mvn attempt %d/%d failed", attempt, retries)
            time.sleep(2 * attempt)
        raise MavenError(f"Could not fetch Neo4j {version} from Maven Central:\n{last}")

    def _write_conf(self) -> Path:
        conf = self.home / "conf"
        for sub in ("conf", "data", "logs", "run", "import", "plugins"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        lines = {
            "server.default_listen_address": "127.0.0.1",
            "server.default_advertised_address": "127.0.0.1",
            "server.bolt.listen_address": f"127.0.0.1:{self.port}",
            "server.bolt.advertised_address": f"127.0.0.1:{self.port}",
            "server.http.enabled": "false",
            "server.https.enabled": "false",
            "server.directories.data": str(self.home / "data"),
            "server.directories.logs": str(self.home / "logs"),
            "server.directories.run": str(self.home / "run"),
            "server.directories.import": str(self.home / "import"),
            "server.directories.plugins": str(self.home / "plugins"),
            "server.memory.pagecache.size": self.pagecache,
            "dbms.usage_report.enabled": "false",
            "dbms.security.auth_enabled": "true",
            "db.tx_log.rotation.retention_policy": "2 files",
        }
        (conf / "neo4j.conf").write_text("".join(f"{k}={v}\n" for k, v in lines.items()))
        return conf

    def _java_env(self, java: Java) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            NEO4J_HOME=str(self.home),
            NEO4J_CONF=str(self.home / "conf"),
            JAVA_HOME=str(java.home),
        )
        return env

    def _set_initial_password(self, java: Java, lib: Path) -> None:
        if (self.home / "data" / "dbms" / "auth.ini").is_file() or (
            self.home / "data" / "databases" / "system"
        ).exists():
            return
        proc = subprocess.run(
            [
                str(java.executable),
                "-cp",
                f"{lib}/*",
                *_JVM_FLAGS,
                "org.neo4j.server.startup.Neo4jAdminCommand",
                "dbms",
                "set-initial-password",
                # A password may begin with "-" (a user's own file, or an older generated one);
                # after "--" the command takes it as the password, not as an unknown option.
                "--",
                self.password(),
            ],
            capture_output=True,
            text=True,
            env=self._java_env(java),
            timeout=180,
        )
        if proc.returncode != 0:
            raise LocalServerError(
                f"Could not set the initial password: {(proc.stdout + proc.stderr)[-1500:]}"
            )

    # -- life cycle ------------------------------------------------------------------------
    def start(self, *, timeout: float = 180.0) -> str:
        """Start the server if it is not running; wait until it answers; return the password.

        Raises:
            JavaNotFoundError, MavenError, PortInUseError, ServerDiedError, StartTimeoutError.
        """
        if self.pid() is not None:
            self._wait_ready(timeout=timeout, pid=self.pid())
            return self.password()
        if not port_is_free(self.port):
            raise PortInUseError(
                f"Port {self.port} on 127.0.0.1 is taken by another process; stop it or choose "
                "another port with KEXIE_NEO4J_PORT"
            )
        java = find_java(self.java_home)
        version = self.resolve_version(java)
        lib = self.ensure_jars(version)
        self._write_conf()
        self.version_file.write_text(version)
        self._set_initial_password(java, lib)
        cmd = [
            str(java.executable),
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            *_JVM_FLAGS,
            "-cp",
            f"{lib}/*",
            main_class_for(version),
            f"--home-dir={self.home}",
            f"--config-dir={self.home / 'conf'}",
            "--console-mode",
        ]
        log = self.console_log.open("ab")
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self._java_env(java),
            start_new_session=True,
            cwd=self.home,
        )
        log.close()
        self.pid_file.write_text(str(proc.pid))
        logger.info("Started Neo4j %s (pid %s) on port %s", version, proc.pid, self.port)
        try:
            self._wait_ready(timeout=timeout, pid=proc.pid, popen=proc)
        except LocalServerError:
            self.stop()
            raise
        return self.password()

    def _log_tail(self, chars: int = 2000) -> str:
        try:
            return self.console_log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def _wait_ready(
        self, *, timeout: float, pid: int | None, popen: subprocess.Popen[bytes] | None = None
    ) -> None:
        deadline = time.monotonic() + timeout
        auth = ("neo4j", self.password())
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if popen is not None and popen.poll() is not None:
                raise ServerDiedError(
                    f"Neo4j exited with code {popen.returncode} during start-up. Log tail:\n"
                    f"{self._log_tail()}"
                )
            if popen is None and pid is not None and self.pid() is None:
                raise ServerDiedError(f"Neo4j stopped during start-up:\n{self._log_tail()}")
            try:
                # One try per loop: ping does not retry (execute_query would, for 30 s).
                with neo4j.GraphDatabase.driver(self.uri, auth=auth) as driver:
                    ping(driver, database="neo4j")
                return
            except AuthError as exc:
                raise LocalServerError(
                    f"Neo4j on port {self.port} rejected the password kept in "
                    f"{self.password_file}: {exc.message}"
                ) from exc
            except (ServiceUnavailable, OSError, neo4j.exceptions.Neo4jError) as exc:
                last_error = exc
                time.sleep(0.5)
        raise StartTimeoutError(
            f"Neo4j did not answer on {self.uri} within {timeout:.0f}s ({last_error}). "
            f"Log tail:\n{self._log_tail()}"
        )

    def stop(self, *, timeout: float = 60.0) -> bool:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout``); False if not running."""
        pid = self.pid()
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid):
                break
            time.sleep(0.2)
        else:
            logger.warning("Neo4j (pid %s) did not stop in %ss; killing it", pid, timeout)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        return True


def _alive(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"
