"""A PostgreSQL server of the test's own (initdb in a temporary folder, its own port), so a
test can stop and restart it without touching the shared server other tests use."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path


def _binary(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _as_postgres() -> list[str]:
    """Run as the postgres user when we are root (PostgreSQL refuses to run as root)."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def available() -> str | None:
    """Why a private server cannot run here, or None."""
    if _binary("initdb") is None or _binary("postgres") is None:
        return "PostgreSQL's initdb and postgres binaries are not installed"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser"
    return None


class PrivateServer:
    def __init__(self) -> None:
        # Not under pytest's tmp_path: that is private to root, and the server runs as postgres.
        self.folder = Path(tempfile.mkdtemp(prefix="limber-pg-"))
        self.data = self.folder / "data"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/limber"

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        initdb = _binary("initdb")
        assert initdb is not None
        subprocess.run(
            [*_as_postgres(), initdb, "-D", str(self.data), "-U", "postgres", "-A", "trust"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    async def start(self) -> None:
        self._proc = self._launch()
        await self._ready()

    def _launch(self) -> subprocess.Popen[bytes]:
        postgres = _binary("postgres")
        assert postgres is not None
        log = open(self.folder / "server.log", "ab")  # noqa: SIM115 - the server's lifetime
        return subprocess.Popen(
            [
                *_as_postgres(),
                postgres,
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-k",
                str(self.folder),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=200",
            ],
            stdout=log,
            stderr=log,
        )

    async def _ready(self) -> None:
        import asyncpg

        for _ in range(300):
            try:
                conn = await asyncpg.connect(
                    f"postgresql://postgres@127.0.0.1:{self.port}/postgres", timeout=2
                )
                await conn.close()
                return
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                await asyncio.sleep(0.1)
        raise AssertionError("the private PostgreSQL never came up")

    async def create_database(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres")
        try:
            await conn.execute("CREATE DATABASE limber")
        finally:
            await conn.close()

    async def stop(self) -> None:
        """A fast shutdown (SIGINT: every connection cut, as a restart does)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        # The server's own pid (runuser in between does not pass signals on).
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGINT)
        for _ in range(300):
            if proc.poll() is not None:
                return
            await asyncio.sleep(0.1)
        proc.kill()
        proc.wait()

    async def remove(self) -> None:
        await self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
