from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.schema.postgres import NO_BINARIES_MESSAGE
from hasura_perm.schema.postgres import TempCluster
from hasura_perm.schema.postgres import find_bindir

REPO = Path(__file__).resolve().parents[2]


def _alive(pid: int) -> bool:
    """A zombie counts as gone: it holds no port, memory or files."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _wait_gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def _run_owner(script: str) -> subprocess.Popen[str]:
    """A separate Python process that starts a cluster and prints its pid and folder."""
    code = textwrap.dedent(
        """
        import sys, time
        from hasura_perm.schema.postgres import TempCluster
        cluster = TempCluster().start()
        print(cluster.pid, cluster.directory, flush=True)
        """
    ) + textwrap.dedent(script)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env
    )


def test_find_bindir_has_the_server_binaries() -> None:
    bindir = find_bindir()
    assert bindir is not None
    for name in ("initdb", "postgres"):
        assert os.access(os.path.join(bindir, name), os.X_OK)


def test_start_query_stop_leaves_no_process_and_no_folder() -> None:
    with TempCluster() as cluster:
        pid, directory = cluster.pid, cluster.directory
        assert pid is not None and directory is not None and directory.is_dir()
        assert cluster.startup_seconds is not None
        with psycopg.connect(cluster.url) as conn:
            assert conn.execute("SELECT 1 + 1").fetchone() == (2,)

    assert not _alive(pid)
    assert not directory.exists()
    cluster.stop()  # a second stop is a no-op


def test_server_listens_on_loopback_only_with_a_private_socket(pg_cluster: TempCluster) -> None:
    with psycopg.connect(pg_cluster.url) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        assert conn.execute("SHOW unix_socket_directories").fetchone() == (
            str(pg_cluster.directory),
        )
        assert conn.execute("SHOW fsync").fetchone() == ("off",)
    assert pg_cluster.directory is not None
    assert pg_cluster.directory.stat().st_mode & 0o077 == 0


def test_server_never_runs_as_root(pg_cluster: TempCluster) -> None:
    owner = os.stat(f"/proc/{pg_cluster.pid}").st_uid
    if os.geteuid() == 0:
        assert owner != 0
    else:
        assert owner == os.geteuid()


def test_tcp_needs_the_clusters_password(pg_cluster: TempCluster) -> None:
    port = urlsplit(pg_cluster.url).port
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=5)


def test_databases_are_isolated(pg_cluster: TempCluster, pg_url: str) -> None:
    other_url = pg_cluster.create_database("isolation_other")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE only_here (id int)")
        assert conn.execute("SELECT current_database()").fetchone() != ("isolation_other",)
    with psycopg.connect(other_url) as conn:
        assert conn.execute("SELECT to_regclass('only_here')").fetchone() == (None,)


def test_creating_an_existing_database_is_a_clean_error(pg_cluster: TempCluster) -> None:
    pg_cluster.create_database("twice")
    with pytest.raises(HasuraPermError, match="cannot create database 'twice'.*already exists"):
        pg_cluster.create_database("twice")


def test_drop_database_ends_open_sessions(pg_cluster: TempCluster) -> None:
    url = pg_cluster.create_database("dropped")
    with psycopg.connect(url) as conn:
        pg_cluster.drop_database("dropped")
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
    pg_cluster.drop_database("dropped")  # already gone: no error
    with pytest.raises(psycopg.OperationalError, match="does not exist"):
        psycopg.connect(url)


def test_missing_binaries_say_what_to_install(tmp_path: Path) -> None:
    cluster = TempCluster(bindir=str(tmp_path))
    with pytest.raises(HasuraPermError) as caught:
        cluster.start()
    assert str(caught.value) == NO_BINARIES_MESSAGE
    assert cluster.pid is None


def test_failed_start_reports_the_server_log_and_cleans_up() -> None:
    real = find_bindir()
    assert real is not None
    # Outside tmp_path: under root the server user must be able to run these files.
    fake = Path(tempfile.mkdtemp(prefix="hasura-perm-fakebin-"))
    try:
        fake.chmod(0o755)
        (fake / "initdb").symlink_to(os.path.join(real, "initdb"))
        postgres = fake / "postgres"
        postgres.write_text("#!/bin/sh\necho 'FATAL:  simulated start failure' >&2\nexit 1\n")
        postgres.chmod(0o755)
        # A parent of its own: other processes may create and remove clusters meanwhile.
        parent = fake / "clusters"
        parent.mkdir(mode=0o755)
        cluster = TempCluster(bindir=str(fake), parent=str(parent))
        with pytest.raises(HasuraPermError, match="(?s)failed to start.*simulated start failure"):
            cluster.start()
        assert cluster.pid is None and cluster.directory is None
        assert list(parent.iterdir()) == []
    finally:
        shutil.rmtree(fake)


def test_exit_without_stop_still_stops_the_server() -> None:
    owner = _run_owner("sys.exit(0)")
    out, _ = owner.communicate(timeout=60)
    pid, directory = out.split()
    assert owner.returncode == 0
    assert _wait_gone(int(pid))
    assert not Path(directory).exists()


def test_killed_owner_takes_the_server_down() -> None:
    owner = _run_owner("time.sleep(60)")
    assert owner.stdout is not None
    pid, directory = owner.stdout.readline().split()
    try:
        assert _alive(int(pid))
        owner.send_signal(signal.SIGKILL)
        owner.wait(10)
        assert _wait_gone(int(pid))
    finally:
        owner.kill()
        owner.wait()
        shutil.rmtree(directory, ignore_errors=True)  # nobody was left to delete it
