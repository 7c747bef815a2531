"""A throwaway PostgreSQL cluster: temp folder, free loopback port, stopped by its pid.

Used by the test suite and as the embedded default database of `hasura-perm test`.
PostgreSQL refuses to run as root, so under root the server runs as the `postgres`
OS user (or `nobody`); as a normal user it runs as that user.
"""

from __future__ import annotations

import atexit
import ctypes
import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import TypedDict
from urllib.parse import quote

import psycopg
from psycopg import sql

from hasura_perm.core.errors import HasuraPermError

NO_BINARIES_MESSAGE = (
    "PostgreSQL server binaries not found; install postgresql "
    "(e.g. apt-get install postgresql) or pass --db URL"
)
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
SUPERUSER = "postgres"
DIRECTORY_PREFIX = "hasura-perm-pg-"
RAM_DIRECTORY = "/dev/shm"
# A container's /dev/shm is often 64 MiB: too small for a cluster plus its test databases.
MIN_RAM_FREE_BYTES = 1 << 30

# Durability is worthless for a cluster that is deleted on exit; these make it start and run fast.
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "autovacuum": "off",
    "jit": "off",
    "log_min_messages": "warning",
}

# Only the private socket folder is trusted; TCP needs the per-cluster random password, so
# other local users cannot reach a superuser that could run programs as the invoking user.
PG_HBA = "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n"

_PR_SET_PDEATHSIG = 1
# Loaded up front: the forked child must not dlopen anything before exec.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


class _ServerUser(TypedDict, total=False):
    """The subprocess options that run a command as the server's user, in its folder."""

    cwd: Path
    env: dict[str, str]
    user: int
    group: int
    extra_groups: list[int]


class TempCluster:
    """initdb into a fresh temp folder, serve it on 127.0.0.1, delete it all on stop()."""

    def __init__(self, *, bindir: str | None = None, parent: str | None = None) -> None:
        """`parent` is the folder the cluster's own private folder is made in (default: RAM
        when there is room, else the temp folder)."""
        self._bindir = bindir
        self._parent = parent
        self._password = secrets.token_hex(16)
        self._directory: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._port: int | None = None
        self.startup_seconds: float | None = None

    def start(self) -> TempCluster:
        if self._process is not None:
            return self
        began = time.monotonic()
        bindir = _require_bindir(self._bindir)
        atexit.register(self.stop)
        try:
            self._directory = _make_private_directory(self._parent or _parent_directory())
            self._initdb(bindir)
            self._serve(bindir)
        except OSError as exc:
            self.stop()
            raise HasuraPermError(f"cannot start PostgreSQL from {bindir}: {exc}") from None
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        """Fast shutdown by pid, then remove the folder. Safe to call twice."""
        atexit.unregister(self.stop)
        if self._process is not None:
            _shut_down(self._process)
            self._process = None
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None
        self._port = None

    @property
    def url(self) -> str:
        """The superuser's URL for the `postgres` database, password included."""
        return self._database_url(SUPERUSER)

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while running."""
        return self._process.pid if self._process is not None else None

    @property
    def directory(self) -> Path | None:
        return self._directory

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        if not name or len(name.encode()) > 63:
            raise HasuraPermError(f"database name must be 1 to 63 bytes long, got {name!r}")
        self._administer(sql.SQL("CREATE DATABASE {}"), name, "create")
        return self._database_url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database if it exists, ending any session still connected to it."""
        self._administer(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)"), name, "drop")

    def _administer(self, statement: sql.SQL, name: str, verb: str) -> None:
        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(statement.format(sql.Identifier(name)))
        except psycopg.Error as exc:
            raise HasuraPermError(f"cannot {verb} database {name!r}: {exc}") from None

    def __enter__(self) -> TempCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _database_url(self, database: str) -> str:
        if self._port is None:
            raise RuntimeError("TempCluster is not started")
        auth = f"{SUPERUSER}:{self._password}"
        return f"postgresql://{auth}@127.0.0.1:{self._port}/{quote(database, safe='')}"

    def _initdb(self, bindir: str) -> None:
        assert self._directory is not None
        password_file = self._directory / "password"
        password_file.write_text(self._password + "\n")
        password_file.chmod(0o644)  # readable by the server user; the folder itself is private
        command = [
            os.path.join(bindir, "initdb"),
            *("-D", str(self._directory / "data")),
            *("-U", SUPERUSER),
            f"--pwfile={password_file}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--locale=C",
            "--encoding=UTF8",
            "--no-sync",
            "--no-instructions",
        ]
        result = subprocess.run(command, capture_output=True, text=True, **self._as_server_user())
        password_file.unlink()
        if result.returncode != 0:
            output = _tail(result.stdout + result.stderr)
            raise HasuraPermError(f"initdb failed (exit {result.returncode}):\n{output}")
        (self._directory / "data" / "pg_hba.conf").write_text(PG_HBA)

    def _serve(self, bindir: str) -> None:
        for _attempt in range(3):
            self._port = _free_port()
            self._process = self._launch(bindir)
            if self._wait_until_ready():
                return
            _shut_down(self._process)
            self._process = None
            if "Address already in use" not in self._log_tail():
                break  # port taken between probe and bind: worth another try; anything else is not
        raise HasuraPermError(f"PostgreSQL failed to start; server log:\n{self._log_tail()}")

    def _launch(self, bindir: str) -> subprocess.Popen[bytes]:
        assert self._directory is not None and self._port is not None
        command = [
            os.path.join(bindir, "postgres"),
            *("-D", str(self._directory / "data")),
            *("-p", str(self._port)),
            *("-k", str(self._directory)),
        ]
        for key, value in SERVER_SETTINGS.items():
            command += ["-c", f"{key}={value}"]
        with open(self._directory / "server.log", "ab") as log:
            return subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a terminal's Ctrl-C reaches us, and stop() shuts it down
                preexec_fn=_die_with_parent,
                **self._as_server_user(),
            )

    def _wait_until_ready(self) -> bool:
        assert self._directory is not None and self._process is not None
        pid_file = self._directory / "data" / "postmaster.pid"
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            if _reports_ready(pid_file):
                return True
            time.sleep(0.01)
        return False

    def _log_tail(self) -> str:
        assert self._directory is not None
        try:
            return _tail((self._directory / "server.log").read_text(errors="replace"))
        except OSError:
            return "(no server log)"

    def _as_server_user(self) -> _ServerUser:
        assert self._directory is not None
        options: _ServerUser = {"cwd": self._directory, "env": _server_environment()}
        if os.geteuid() == 0:
            user = _server_user()
            options.update({"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []})
        return options

    def __repr__(self) -> str:
        return f"TempCluster(port={self._port}, pid={self.pid}, directory={self._directory})"


def find_bindir() -> str | None:
    """Where initdb and postgres live: pg_config, then PATH, then Debian's versioned folders."""
    for candidate in (_bindir_from_pg_config(), _bindir_from_path(), *_debian_bindirs()):
        if candidate and _has_server_binaries(candidate):
            return candidate
    return None


def _require_bindir(bindir: str | None) -> str:
    found = bindir if bindir is not None else find_bindir()
    if found is None or not _has_server_binaries(found):
        raise HasuraPermError(NO_BINARIES_MESSAGE)
    return found


def _has_server_binaries(bindir: str) -> bool:
    return all(os.access(os.path.join(bindir, name), os.X_OK) for name in ("initdb", "postgres"))


def _bindir_from_pg_config() -> str | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    try:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def _bindir_from_path() -> str | None:
    initdb = shutil.which("initdb")
    if initdb is None:
        return None
    here = os.path.dirname(initdb)
    # A PATH folder of symlinks may lack `postgres`; the real folder has it.
    return here if _has_server_binaries(here) else os.path.dirname(os.path.realpath(initdb))


def _debian_bindirs() -> list[str]:
    def version(path: str) -> tuple[int, ...]:
        found = re.search(r"(\d+(?:\.\d+)*)", path)
        return tuple(int(part) for part in found.group(1).split(".")) if found else ()

    return sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)


def _make_private_directory(parent: str) -> Path:
    directory = Path(tempfile.mkdtemp(prefix=DIRECTORY_PREFIX, dir=parent))
    if os.geteuid() == 0:
        user = _server_user()
        os.chown(directory, user.pw_uid, user.pw_gid)
    return directory


def _parent_directory() -> str:
    # In RAM, initdb is about 3x and CREATE DATABASE about 10x faster than on a disk.
    candidates = [RAM_DIRECTORY, tempfile.gettempdir(), "/tmp"]
    for parent in candidates:
        usable = os.path.isdir(parent) and os.access(parent, os.W_OK | os.X_OK)
        if parent == RAM_DIRECTORY:
            usable = usable and _free_bytes(parent) >= MIN_RAM_FREE_BYTES
        if usable and (os.geteuid() != 0 or _traversable_by_others(parent)):
            return parent
    return tempfile.gettempdir()


def _free_bytes(path: str) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def _traversable_by_others(path: str) -> bool:
    current = Path(path).resolve()
    for folder in (current, *current.parents):
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return False
    return True


def _server_user() -> pwd.struct_passwd:
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise HasuraPermError(
        "running as root, but neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL; "
        "create one (e.g. apt-get install postgresql) or pass --db URL"
    )


def _server_environment() -> dict[str, str]:
    # PG* variables of the caller (PGDATA, PGPORT, ...) must not steer the throwaway server.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    environment["LC_ALL"] = "C"
    return environment


def _die_with_parent() -> None:
    """Runs in the child after it switched user: if we are killed, the server shuts down too."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGINT, 0, 0, 0)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _reports_ready(pid_file: Path) -> bool:
    # Line 8 of postmaster.pid is the server's status; pg_ctl -w waits for "ready" the same way.
    try:
        lines = pid_file.read_text().splitlines()
    except OSError:
        return False
    return len(lines) >= 8 and lines[7].strip() == "ready"


def _shut_down(process: subprocess.Popen[bytes]) -> None:
    """SIGINT is PostgreSQL's fast shutdown; escalate to immediate, then kill."""
    for sig, wait in ((signal.SIGINT, STOP_TIMEOUT_SECONDS), (signal.SIGQUIT, 5.0)):
        process.send_signal(sig)
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue
    process.kill()
    process.wait()


def _tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
