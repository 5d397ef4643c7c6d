"""A resident process per Unix user and installation that keeps custtui imported, so that
``custtui show``, ``search`` and ``set`` from a script or a shell answer without importing for a
tenth of a second or more each time (bench/bench_cli.py; the figures are in bench/README.md).

The command connects to a Unix socket in a folder only its Unix user may open (the resident checks
the caller's user id too) and hands over its arguments, environment, working folder, umask and its
own stdin, stdout and stderr as file descriptors. The resident forks; the child takes all of these
over and runs ``custtui.cli.main`` exactly as the command would have, writing straight to the
caller's terminal or pipe, and the resident sends back the child's exit status; the caller forwards
Ctrl-C and other signals to the child. Every command runs in a fresh fork of a process that has only
imported modules: nothing a command reads or caches outlives it, so a commit made by anyone else
is seen at once, and who acts is the caller's ``CUSTTUI_USER`` or ``--user``, as without it.

The first such command that finds no resident runs as before and then starts one in the background.
It exits after ``CUSTTUI_RESIDENT_IDLE`` seconds without a command (default 900), when custtui's own
files change (an upgrade: the command in flight runs without it), or on ``custtui resident stop``.
``CUSTTUI_RESIDENT=0`` turns it off.

The client half (``hand_over``) imports only modules written in C: ``_socket`` and ``_signal``,
not ``socket`` and ``signal``, whose enums (and ``selectors``) take 9-14 ms to import, more than
the hand-over itself (``python -X importtime``); file descriptors are packed as C ints by hand for
the same reason (``array`` imports ``collections``, 5 ms). The resident half imports what it needs
when it starts."""

from __future__ import annotations

import _signal
import _socket
import marshal
import os
import stat
import sys

IDLE_SECONDS = 900
_STDIO = 3
_FD_SIZE = 4  # a C int, as SCM_RIGHTS carries file descriptors on Linux
_LENGTH = 4


# --- where ----------------------------------------------------------------------------------


def socket_path() -> str | None:
    """The socket of this installation's resident for this Unix user, in a folder of the user's own
    with no access for anyone else; None when there is no such folder (then nothing is handed over)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = os.path.join(runtime, "custtui") if runtime and os.path.isdir(runtime) else f"/tmp/custtui-{os.getuid()}"
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    found = os.lstat(folder)
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        return None
    import zlib

    # one resident per environment (python and python3 of one venv alike) and custtui package
    installation = "\0".join((sys.prefix, os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    return os.path.join(folder, f"{zlib.crc32(installation.encode()):08x}.sock")


# --- messages: a length, then a marshalled value (both ends are this user's same interpreter) ----


def _send(connection, value, fds: list[int] | None = None) -> None:
    data = marshal.dumps(value)
    data = len(data).to_bytes(_LENGTH, "big") + data
    if fds:
        packed = b"".join(fd.to_bytes(_FD_SIZE, sys.byteorder) for fd in fds)
        ancillary = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, packed)]
        data = data[connection.sendmsg([data], ancillary) :]
    connection.sendall(data)


def _receive(connection, fds: list[int] | None = None):
    """One message; with ``fds``, the file descriptors that came with it are appended there."""
    buffer = b""
    if fds is not None:
        buffer, ancillary, _, _ = connection.recvmsg(1 << 16, _socket.CMSG_SPACE(_STDIO * _FD_SIZE))
        for level, kind, payload in ancillary:
            if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                whole = len(payload) - len(payload) % _FD_SIZE
                fds.extend(int.from_bytes(payload[i : i + _FD_SIZE], sys.byteorder) for i in range(0, whole, _FD_SIZE))
    while len(buffer) < _LENGTH or len(buffer) < _LENGTH + int.from_bytes(buffer[:_LENGTH], "big"):
        more = connection.recv(1 << 16)
        if not more:
            raise EOFError("the other end closed the connection")
        buffer += more
    return marshal.loads(buffer[_LENGTH:])


def _connect(path: str):
    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        connection.connect(path)
    except OSError:
        connection.close()
        return None
    return connection


# --- the command's side ------------------------------------------------------------------------


def hand_over(argv: list[str]) -> int | None:
    """Run ``custtui ARGV`` in the resident and return its exit status; None when there is no
    resident or it declined before starting the command (then the caller runs it itself)."""
    path = socket_path()
    streams = (sys.stdin, sys.stdout, sys.stderr)
    if path is None or None in streams:
        return None
    try:
        folder = os.getcwd()
    except OSError:
        return None
    connection = _connect(path)
    if connection is None:
        return None
    umask = os.umask(0o022)
    os.umask(umask)
    request = {
        "argv": argv,
        "env": dict(os.environ),
        "cwd": folder,
        "umask": umask,
        "stdio": [(stream.encoding, stream.errors) for stream in streams],
    }
    # Ctrl-C and the like reach this process: each goes on to the command once it runs
    child: list[int] = []
    caught: list[int] = []

    def forward(number, _frame) -> None:
        caught.append(number)
        _kill(child, number)

    forwarded = (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP, _signal.SIGQUIT)
    before = [_signal.signal(number, forward) for number in forwarded]
    try:
        try:
            _send(connection, request, [stream.fileno() for stream in streams])
            answer = _receive(connection)
        except (OSError, EOFError, ValueError):
            answer = {}
        if "pid" not in answer:  # declined (custtui's files changed) or gone: nothing ran
            return 128 + caught[0] if caught else None
        child.append(answer["pid"])
        for number in caught:
            _kill(child, number)
        try:
            code = _receive(connection)["exit"]
        except (OSError, EOFError, ValueError, KeyError):
            print("错误: custtui 常驻进程意外中断, 命令可能没有完成 (可运行 custtui check 确认)", file=sys.stderr)
            return 1
        return code if code >= 0 else 128 - code
    finally:
        connection.close()
        for number, handler in zip(forwarded, before, strict=True):
            _signal.signal(number, handler)


def _kill(child: list[int], number: int) -> None:
    try:
        if child:
            os.kill(child[0], number)
    except ProcessLookupError:
        pass  # it has just ended


def ask(question: str) -> dict | None:
    """The resident's answer to ``status`` or ``stop``; None when none runs."""
    path = socket_path()
    connection = _connect(path) if path else None
    if connection is None:
        return None
    try:
        _send(connection, {question: True})
        return _receive(connection)
    except (OSError, EOFError, ValueError):
        return None
    finally:
        connection.close()


def start_in_background() -> None:
    """Start a resident for the next command (it exits at once if another holds the lock)."""
    path = socket_path()
    if path is None:
        return
    import subprocess

    subprocess.Popen(
        [sys.executable, "-m", "custtui.cli.resident", path],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd="/",
        start_new_session=True,
    )


# --- the resident's side -------------------------------------------------------------------------

# What show, search and set import (``python -X importtime``): loaded once, before any fork. And
# pypinyin, which an edit of a name may need: index/analysis.py sets how it is imported in the
# environment, which a child replaces with the caller's.
WARM = (
    "custtui.cli.main",
    "custtui.core.archive.archive",
    "custtui.core.tasks.view",
    "custtui.core.records.present",
    "custtui.core.index.search",
    "custtui.core.index.listing",
    "custtui.core.vault.keyring",
    "gitdb",
    "tomli_w",
    "pypinyin",
)


def _warm_caches() -> None:
    """Fill what each child would otherwise fill again, none of it from an archive: the parsers of
    the resident's commands and the default standard, which compile the regular expressions a
    command meets (re's cache; 11 ms of a 28 ms show in a child, measured with cProfile)."""
    from ..core.records.schema import Schema, default_schema_dir
    from .launch import RESIDENT_COMMANDS
    from .main import build_parser

    for name in RESIDENT_COMMANDS:
        build_parser(name)
    Schema.load_dir(default_schema_dir())


def _sources() -> dict[str, int]:
    """Each file of the custtui package and its modification time: a change means an upgrade."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = {}
    for folder, _, names in os.walk(package):
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                found[path] = os.stat(path).st_mtime_ns
    return found


class Resident:
    """The process behind the socket: accepts commands, forks one child each, reports their exits."""

    def __init__(self, path: str, idle: float) -> None:
        import time

        self.path, self.idle = path, idle
        self.sources = _sources()
        self.running: dict = {}  # a command's child (pid) -> the connection of the command waiting for it
        self.started, self.last, self.served = time.time(), time.monotonic(), 0
        self.stopping = False

    def serve(self) -> None:
        import fcntl
        import gc
        import importlib
        import select
        import signal
        import socket
        import time

        lock = os.open(self.path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return  # another resident runs or is starting
        for module in WARM:
            importlib.import_module(module)
        _warm_caches()
        gc.freeze()  # the children then share these pages instead of copying them at their first collection
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if os.path.exists(self.path):
            os.unlink(self.path)  # left by a resident that was killed
        os.umask(0o077)
        self.listener.bind(self.path)
        self.listener.listen(64)
        ours = os.stat(self.path).st_ino
        self.wake_read, wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "stopping", True))
        try:
            while self.running or not (self.stopping or time.monotonic() - self.last > self.idle):
                ready, _, _ = select.select([self.listener, self.wake_read], [], [], 1.0)
                if self.wake_read in ready:
                    while os.read(self.wake_read, 512) == 512:
                        pass
                if self.running:
                    self._reap()
                if self.listener in ready and not self.stopping:
                    connection, _ = self.listener.accept()
                    self._take(connection)
                if not _is(self.path, ours):
                    self.stopping = True  # removed, or another resident took the name
        finally:
            if _is(self.path, ours):
                os.unlink(self.path)
            os.close(lock)

    def _reap(self) -> None:
        import time

        while self.running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                return
            connection = self.running.pop(pid, None)
            if connection is not None:
                self.last = time.monotonic()
                try:
                    _send(connection, {"exit": os.waitstatus_to_exitcode(status)})
                except OSError:
                    pass  # the command's process was killed; its child ran to its end
                connection.close()

    def _take(self, connection) -> None:
        import socket
        import struct
        import time

        fds: list[int] = []
        try:
            pid, uid, gid = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
            if uid != os.getuid():
                raise PermissionError(f"user {uid} may not use this resident")
            connection.settimeout(5)
            request = _receive(connection, fds)
            connection.settimeout(None)
            if request.get("status") or request.get("stop"):
                self.stopping = self.stopping or bool(request.get("stop"))
                _send(connection, {"pid": os.getpid(), "started": self.started, "served": self.served})
            elif len(fds) != _STDIO:
                raise ValueError("a command comes with its stdin, stdout and stderr")
            elif _sources() != self.sources:
                self.stopping = True
                _send(connection, {"declined": "custtui 的文件已更新"})
            else:
                child = os.fork()
                if child == 0:
                    _run_child(request, fds, [self.listener, connection, *self.running.values()], self.wake_read)
                self.served += 1
                self.last = time.monotonic()
                self.running[child] = connection
                _send(connection, {"pid": child})
                return
        except (OSError, EOFError, ValueError):
            pass
        finally:
            for fd in fds:
                os.close(fd)
        connection.close()


def _is(path: str, inode: int) -> bool:
    try:
        return os.stat(path).st_ino == inode
    except OSError:
        return False


def _run_child(request: dict, fds: list[int], inherited: list, wake: int) -> None:
    """In the forked child: become the command the caller typed, run it, exit with its status."""
    import atexit
    import signal
    import time
    import traceback

    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for connection in inherited:
            connection.close()
        os.close(wake)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        fds.clear()
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        # as Python opens them: stderr line by line, stdout too when it is a terminal
        (stdin, stdout, stderr) = (
            open(fd, "r" if fd == 0 else "w", 1 if fd == 2 or os.isatty(fd) else -1, encoding, errors, closefd=False)
            for fd, (encoding, errors) in enumerate(request["stdio"])
        )
        sys.stdin = sys.__stdin__ = stdin
        sys.stdout = sys.__stdout__ = stdout
        sys.stderr = sys.__stderr__ = stderr
        sys.argv = ["custtui", *request["argv"]]
        from .main import main

        code = main(request["argv"])
    except SystemExit as exc:
        code = _exit_status(exc)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # as Python's own exit: a failed flush is not reported twice
            pass
        os._exit(code & 0xFF)


def _exit_status(exc: SystemExit) -> int:
    """The status ``sys.exit(value)`` gives a process (argparse exits 2 on a bad argument)."""
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    print(exc.code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    Resident(sys.argv[1], float(os.environ.get("CUSTTUI_RESIDENT_IDLE", IDLE_SECONDS))).serve()
