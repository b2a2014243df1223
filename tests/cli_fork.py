"""Run `gestapeld ARGS` in a fresh process without paying the interpreter's start each time.

Most tests talk to the package through its command line (a few hundred runs of `gestapeld
validate` / `tables` per session). Starting Python and importing pandas, DuckDB, SciPy and
the package costs more CPU than the command itself on a small extract, so a test session
keeps one *zygote* per test process: a Python process that has imported the package and its
libraries (imports only: it computes nothing and starts no thread of its own) and forks a child
for every run. The child is a new process, as with `subprocess.run`: its own working
directory, environment, argv, stdin (/dev/null), stdout and stderr (files read back as text),
`main()` of the console script with the same exit status (an uncaught exception prints its
traceback and exits 1, `SystemExit` gives its code, a signal a negative status). Nothing a run
does can reach the test process or the next run.

Only the commands of `FORKED` are forked. What the fork cannot reproduce, so such a run
uses a plain `subprocess.run` instead:
a different interpreter-level environment (PYTHON*, LC_*, LANG) than the zygote's, a run under
mutmut (MUTANT_UNDER_TEST), and GESTAPELD_TEST_SUBPROCESS=1, which switches the fork off for a
whole session (`GESTAPELD_TEST_SUBPROCESS=1 make test-fast` runs every command the slow way).
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

#: Imported once by the zygote: what `gestapeld validate` and `tables` import on their way.
PRELOAD = (
    "gestapeld.cli",
    "gestapeld.engine.extract",
    "gestapeld.engine.counts",
    "gestapeld.protection.disclosure_audit",
    "gestapeld.publication.report",
    "duckdb",
    "pyarrow.parquet",
    "scipy.optimize",
    "openpyxl",
    "highspy",
)
#: The quick commands, run a few hundred times a session, and `book` and `run`, which the tests
#: that come here run to be refused before any work (an --out that is not the tool's, a bad
#: extract): a second of interpreter start each. A build that does go ahead is the same in a
#: forked child (notebook kernels and Sphinx are processes of their own either way). `publish`
#: and `verify` always start afresh; the tests run them as plain subprocesses anyway.
FORKED = ("validate", "tables", "synth", "book", "run")
#: Read by the interpreter at its start (hash seed, paths, encodings): must match the zygote's.
_INTERPRETER = ("PYTHON", "LC_", "LANG")


def _interpreter_env(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith(_INTERPRETER)}


# --------------------------------------------------------------------------- the zygote


def _child(request: dict) -> None:
    """In the forked child: become the command's process, run `main`, exit with its status."""
    code = 1
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        # the text layers a new interpreter would have on two pipes
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
        sys.argv = [request["argv0"], *request["args"]]
        from gestapeld.cli import main

        try:
            code = main(request["args"])
        except SystemExit as exc:
            code = exc.code
        if code is None:
            code = 0
        elif not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
        threading._shutdown()  # as at interpreter exit: wait for non-daemon threads
        atexit._run_exitfuncs()
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code & 0xFF)


def serve() -> None:
    """The zygote: one JSON request a line on stdin; answers the child's pid, then its status."""
    import importlib

    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]  # a command's process has the tests folder nowhere on its path
    for name in PRELOAD:
        importlib.import_module(name)
    proto_in, proto_out = sys.stdin.buffer, sys.stdout.buffer
    print(json.dumps({"ready": os.getpid()}), file=sys.stdout, flush=True)
    for line in proto_in:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        proto_out.write((json.dumps({"pid": pid}) + "\n").encode())
        proto_out.flush()
        _, status = os.waitpid(pid, 0)
        proto_out.write((json.dumps({"status": os.waitstatus_to_exitcode(status)}) + "\n").encode())
        proto_out.flush()


# --------------------------------------------------------------------------- the client


class _Zygote:
    def __init__(self) -> None:
        self.env = _interpreter_env(os.environ)
        self.proc = subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,  # unbuffered: select() below sees every answer that has arrived
        )
        self.lock = threading.Lock()
        if "ready" not in self._read(120):
            raise RuntimeError("the gestapeld zygote did not start")

    def _read(self, timeout: float | None) -> dict:
        out = self.proc.stdout
        if timeout is not None and not select.select([out], [], [], timeout)[0]:
            raise TimeoutError
        line = out.readline()
        if not line:
            raise RuntimeError("the gestapeld zygote stopped")
        return json.loads(line)

    def run(self, args: list[str], cwd: Path, env: dict[str, str], timeout: float | None, **text) -> tuple:
        with tempfile.TemporaryDirectory(prefix="gestapeld-run-") as tmp:
            out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
            request = {
                "args": args,
                "argv0": str(Path(sys.executable).with_name("gestapeld")),
                "cwd": str(cwd),
                "env": env,
                "stdout": str(out),
                "stderr": str(err),
            }
            with self.lock:
                self.proc.stdin.write((json.dumps(request) + "\n").encode())
                self.proc.stdin.flush()
                pid = self._read(60)["pid"]
                try:
                    status = self._read(timeout)["status"]
                    timed_out = False
                except TimeoutError:
                    os.kill(pid, 9)
                    status = self._read(60)["status"]
                    timed_out = True
            stdout = out.read_bytes().decode(**text) if out.exists() else ""
            stderr = err.read_bytes().decode(**text) if err.exists() else ""
        if timed_out:
            raise subprocess.TimeoutExpired(["gestapeld", *args], timeout, output=stdout, stderr=stderr)
        return status, stdout, stderr

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - the session is ending anyway
            self.proc.kill()


_zygote: _Zygote | None = None


def _get() -> _Zygote:
    global _zygote
    if _zygote is None or _zygote.proc.poll() is not None:
        _zygote = _Zygote()
        atexit.register(_zygote.close)
    return _zygote


def forking() -> bool:
    """False when this session runs every command as a plain subprocess."""
    return not os.environ.get("GESTAPELD_TEST_SUBPROCESS") and "MUTANT_UNDER_TEST" not in os.environ


def run(
    args: Sequence[object],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float | None = None,
    encoding: str = "utf-8",
    errors: str = "replace",
) -> subprocess.CompletedProcess:
    """`gestapeld ARGS` in its own process, like `subprocess.run(..., capture_output=True)`."""
    argv = [str(a) for a in args]
    env = {str(k): str(v) for k, v in env.items()}
    command = [str(Path(sys.executable).with_name("gestapeld")), *argv]
    if forking() and "MUTANT_UNDER_TEST" not in env and argv[:1] and argv[0] in FORKED:
        zygote = _get()
        if _interpreter_env(env) == zygote.env:
            status, stdout, stderr = zygote.run(argv, Path(cwd), env, timeout, encoding=encoding, errors=errors)
            return subprocess.CompletedProcess(command, status, stdout, stderr)
    if not Path(command[0]).exists():
        command = [sys.executable, "-m", "gestapeld", *argv]
    return subprocess.run(
        command,
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        encoding=encoding,
        errors=errors,
        timeout=timeout,
        check=False,
    )


if __name__ == "__main__":
    serve()
