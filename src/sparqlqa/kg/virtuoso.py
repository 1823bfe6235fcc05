"""A private Virtuoso server on loopback, for the contract tests and the benchmarks.

Virtuoso (Debian package ``virtuoso-opensource``) is the engine behind the public DBpedia
endpoint. ``VirtuosoServer`` writes a configuration whose every file lives in a scratch folder,
picks free ports, starts ``virtuoso-t``, bulk-loads RDF files into a named graph and stops the
server again. Nothing here is used by the service itself.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from sparqlqa.errors import ConfigError

_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = {sql_port}
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
CaseMode                 = 2
DirsAllowed              = ., {dir}, {load_dirs}
NumberOfBuffers          = {buffers}
MaxDirtyBuffers          = {dirty_buffers}
MaxQueryMem              = 1G
ThreadsPerQuery          = 2
VADInstallDir            = /usr/share/virtuoso-opensource-7/vad/

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections        = 10
ServerThreads               = 10
Charset                     = UTF-8
EnabledGzipContent          = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 60
"""


def available() -> bool:
    """Whether the Virtuoso binaries are installed."""
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class VirtuosoServer:
    """One Virtuoso instance living in ``workdir``; use as a context manager."""

    def __init__(self, workdir: Path, *, buffers: int = 170_000) -> None:
        if not available():
            raise ConfigError("Virtuoso is not installed: apt-get install virtuoso-opensource")
        self.workdir = Path(workdir).resolve()
        self.sql_port = free_port()
        self.http_port = free_port()
        self.buffers = buffers  # 8 kB pages of cache: 170,000 is about 1.3 GB
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def sparql_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def start(self, load_dirs: Sequence[Path] = (), timeout_s: float = 60) -> None:
        """Start the server and wait until its SPARQL endpoint answers."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        ini = self.workdir / "virtuoso.ini"
        ini.write_text(
            _INI.format(
                dir=self.workdir,
                sql_port=self.sql_port,
                http_port=self.http_port,
                load_dirs=", ".join(str(Path(d).resolve()) for d in load_dirs) or ".",
                buffers=self.buffers,
                dirty_buffers=self.buffers * 3 // 4,
            )
        )
        # +foreground keeps the server a child of ours, so stop() can end it for sure.
        self._process = subprocess.Popen(
            ["virtuoso-t", "+configfile", str(ini), "+foreground"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                log = (self.workdir / "virtuoso.log").read_text(errors="replace")[-2000:]
                raise ConfigError(f"virtuoso-t exited at start; its log ends:\n{log}")
            try:
                with socket.create_connection(("127.0.0.1", self.http_port), timeout=1):
                    pass
                if self.isql("status();", check=False).returncode == 0:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise ConfigError(f"Virtuoso did not start within {timeout_s:g} s")

    def isql(self, statements: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run SQL statements through ``isql-vt`` as dba."""
        result = subprocess.run(
            ["isql-vt", str(self.sql_port), "dba", "dba", f"exec={statements}"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and (result.returncode != 0 or "*** Error" in result.stdout + result.stderr):
            raise ConfigError(f"isql-vt failed: {result.stdout[-1000:]} {result.stderr[-1000:]}")
        return result

    def load(self, files: Sequence[Path], graph: str) -> None:
        """Bulk-load RDF files (each folder must have been named in ``start(load_dirs=)``)."""
        for path in files:
            path = Path(path).resolve()
            self.isql(f"ld_dir('{path.parent}', '{path.name}', '{graph}');")
        self.isql("rdf_loader_run(); checkpoint;")
        errors = self.isql(
            "SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;"
        )
        if "0 Rows" not in errors.stdout:
            raise ConfigError(f"Virtuoso could not load some files: {errors.stdout[-1500:]}")

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None

    def __enter__(self) -> VirtuosoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
