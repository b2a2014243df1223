"""The Jupyter kernels of a run: quiet, and stopped at once on Ctrl-C.

A kernel's stdout and stderr (ipykernel's warnings, interrupt tracebacks) go to a log file,
not to the terminal. jupyter_client starts each kernel in a session of its own, where
Ctrl-C on the terminal does not reach it: every kernel started here is remembered, so
`terminate_kernels` can end them all when the run is interrupted.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

#: Kernels started by this process, so an interrupt can end them at once: jupyter_client
#: starts each kernel in a session of its own, where Ctrl-C on the terminal does not reach it.
_KERNELS: set = set()
_KERNELS_LOCK = threading.Lock()
_STOPPING = threading.Event()  # set on Ctrl-C: a kernel that starts after it is killed at once


def quiet_kernel_manager(log: Path | None):
    """A kernel manager whose kernel writes stdout/stderr to `log` (not the terminal), and
    which is known to `terminate_kernels`."""
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            fh = open(log, "ab") if log is not None else None  # noqa: SIM115 - the kernel holds it
            if fh is not None:
                kw["stdout"] = fh
                kw["stderr"] = fh
            try:
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            finally:
                if fh is not None:
                    fh.close()  # the child has its own copy of the descriptor
                process = getattr(self.provisioner, "process", None)
                if process is not None:
                    with _KERNELS_LOCK:
                        _KERNELS.add(process)
                    if _STOPPING.is_set():
                        terminate_kernels()

    return QuietKernelManager


def terminate_kernels() -> int:
    """Kill every kernel this process started that still runs (and what it started: the
    kernel leads its own process group); returns how many. Used on Ctrl-C."""
    import signal

    n = 0
    _STOPPING.set()
    with _KERNELS_LOCK:
        live = [p for p in _KERNELS if p.poll() is None]
        _KERNELS.clear()
    for process in live:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            try:
                process.kill()
            except OSError:
                continue
        n += 1
    for process in live:
        try:
            process.wait(timeout=1)
        except Exception:  # noqa: BLE001 - a kernel that does not go in 1 s is left to the OS
            pass
    return n


def reset() -> None:
    """Allow kernels to start again (a new run after an interrupted one)."""
    _STOPPING.clear()
