"""A real OpenSSH server on 127.0.0.1 for tests: its own keys, config, port and log in a temp dir.

``SshServer`` runs ``sshd -D`` as the current user (root or not) and touches nothing outside its
directory, except that sshd run as root needs its privilege-separation directory ``/run/sshd``
(created when missing, as Debian's service would). Logins are by public key only, for the current
login name, against an ``authorized_keys`` file the test controls; the server rereads it on every
connection, so ``authorize``/``reset`` take effect at once.

Commands run for a client get a predictable environment whatever the user's real setup (set with
``SetEnv``, so it overrides sshd's built-in PATH and the passwd HOME): PATH starts with this
Python's bin directory (so ``custtui`` and ``python`` are the test's own), then git's directory
and the usual system directories; HOME is a private empty directory (no real ``~/.gitconfig`` or
``~/.bashrc`` leaks in); ``GIT_CONFIG_NOSYSTEM=1``; ``LANG=C.UTF-8``. ``environment="NAME=value"``
in an authorized_keys line's options adds per-key variables (``PermitUserEnvironment yes``).

    server = SshServer().start()
    server.authorize(server.client_public)        # or options='restrict,command="..."'
    env = {**os.environ, **server.git_env()}
    subprocess.run(["git", "clone", server.url(bare), dest], env=env, check=True)
    server.stop()
"""

from __future__ import annotations

import atexit
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"
_SBIN = ("/usr/sbin", "/usr/local/sbin", "/sbin")
_OPTION_OK: dict[str, bool] = {}  # config line -> whether this sshd accepts it


def find_sshd() -> str | None:
    """Absolute path of the sshd binary (sshd re-executes itself, so it must be absolute), or None."""
    path = os.pathsep.join([os.environ.get("PATH", ""), *_SBIN])
    found = shutil.which("sshd", path=path)
    return str(Path(found).resolve()) if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _keygen(private: Path, comment: str) -> str:
    """A new passphrase-less ed25519 key pair; returns the public key line."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(private)],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    return private.with_name(private.name + ".pub").read_text().strip()


class SshServerError(RuntimeError):
    pass


class SshServer:
    """One sshd on 127.0.0.1 at a free port; see the module docstring.

    ``base``: where to make the temp dir; without it the dir is in the system temp dir and is
    removed by ``stop``. Attributes: ``user`` (the current login name), ``port`` (after ``start``), ``dir`` (the temp
    dir), ``authorized_keys`` (the file sshd reads), ``client_key``/``client_public`` (a key pair
    made for the test; authorized after ``start`` unless ``authorize_client=False``),
    ``remote_home`` (HOME for commands run over SSH), ``log_file``.
    """

    def __init__(self, base: str | os.PathLike | None = None, *, authorize_client: bool = True):
        self.sshd = find_sshd()
        if self.sshd is None:
            raise SshServerError("sshd is not installed (Debian: apt-get install openssh-server)")
        self.ssh = shutil.which("ssh") or "ssh"
        entry = pwd.getpwuid(os.getuid())
        self.user = entry.pw_name
        self._check_account(entry)
        self.dir = Path(tempfile.mkdtemp(prefix="sshd-", dir=base)).resolve()
        self._remove_dir = base is None  # a dir under the caller's base (e.g. pytest's) stays for inspection
        self.authorized_keys = self.dir / "authorized_keys"
        self.authorized_keys.write_text("")
        self.remote_home = self.dir / "home"
        self.remote_home.mkdir()
        self.keys_dir = self.dir / "keys"
        self.keys_dir.mkdir()
        self.host_key = self.dir / "ssh_host_ed25519_key"
        _keygen(self.host_key, "custtui-test-host")
        self.client_key, self.client_public = self.new_client_key("client")
        self._authorize_client = authorize_client
        self.config_file = self.dir / "sshd_config"
        self.log_file = self.dir / "sshd.log"
        self.pid_file = self.dir / "sshd.pid"
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None

    # ------------------------------------------------------------------ keys
    def new_client_key(self, name: str = "client") -> tuple[Path, str]:
        """A new key pair (not yet authorized): (private key path, public key line)."""
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "key"
        private, n = self.keys_dir / stem, 1
        while private.exists():
            n += 1
            private = self.keys_dir / f"{stem}-{n}"
        return private, _keygen(private, f"{name}@custtui-test")

    def authorize(self, public_key_line: str, options: str = "") -> None:
        """Append an authorized_keys line, e.g. ``options='restrict,command="custtui serve"'``."""
        line = public_key_line.strip()
        if "\n" in line or not line:
            raise ValueError("one public key line expected")
        with self.authorized_keys.open("a") as f:
            f.write(f"{options} {line}\n" if options else f"{line}\n")

    def reset(self, authorize_client: bool | None = None) -> None:
        """Empty authorized_keys, then re-authorize ``client_public`` (unless told not to)."""
        self.authorized_keys.write_text("")
        if self._authorize_client if authorize_client is None else authorize_client:
            self.authorize(self.client_public)

    # ---------------------------------------------------------------- client
    def url(self, path: str | os.PathLike) -> str:
        """``ssh://user@127.0.0.1:PORT/abs/path`` for git."""
        return f"ssh://{self.user}@{HOST}:{self._port()}{Path(path).resolve()}"

    def ssh_args(self, key: str | os.PathLike | None = None) -> list[str]:
        """ssh and its options (no destination): our key only, no host key checks, no user config."""
        return [
            self.ssh,
            "-F",
            "/dev/null",
            "-i",
            os.path.abspath(key or self.client_key),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "IdentityAgent=none",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "ConnectTimeout=10",
            "-p",
            str(self._port()),
        ]

    def ssh_command(self, key: str | os.PathLike | None = None) -> str:
        """The same as one shell string, for GIT_SSH_COMMAND."""
        return shlex.join(self.ssh_args(key))

    def git_env(self, key: str | os.PathLike | None = None) -> dict[str, str]:
        """``{"GIT_SSH_COMMAND": ...}``; merge into the environment of git commands."""
        return {"GIT_SSH_COMMAND": self.ssh_command(key)}

    def run(
        self,
        command: str | None = None,
        *,
        key: str | os.PathLike | None = None,
        input: str | bytes | None = None,
        timeout: float = 60,
        **kwargs,
    ) -> subprocess.CompletedProcess:
        """Run ``ssh user@127.0.0.1 COMMAND`` (output captured, text unless ``input`` is bytes)."""
        args = [*self.ssh_args(key), f"{self.user}@{HOST}"]
        if command is not None:
            args.append(command)
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", not isinstance(input, bytes))
        if input is None:
            kwargs.setdefault("stdin", subprocess.DEVNULL)
        kwargs.setdefault("check", False)
        return subprocess.run(args, input=input, timeout=timeout, **kwargs)

    # ---------------------------------------------------------------- server
    def start(self, timeout: float = 10) -> SshServer:
        if self.proc is not None:
            return self
        if os.geteuid() == 0:
            # sshd as root chroots its pre-auth child into this directory and refuses to start without it.
            Path("/run/sshd").mkdir(mode=0o755, parents=True, exist_ok=True)
        if self._authorize_client and not self.authorized_keys.read_text():
            self.authorize(self.client_public)
        for _ in range(3):
            self.port = _free_port()
            self._write_config()
            if self._launch(timeout):
                atexit.register(self.stop)
                return self
            # Lost the port to another process between choosing and binding it: choose again.
        raise SshServerError(f"sshd did not start:\n{self.log()}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self._stderr.close()
        if self._remove_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> SshServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log(self) -> str:
        """sshd's log so far (useful in assertion messages)."""
        parts = []
        for path in (self.log_file, self.dir / "sshd.stderr"):
            if path.exists() and path.stat().st_size:
                parts.append(path.read_text(errors="replace"))
        return "".join(parts)

    # -------------------------------------------------------------- internal
    def _port(self) -> int:
        if self.port is None:
            raise SshServerError("server not started")
        return self.port

    def _check_account(self, entry: pwd.struct_passwd) -> None:
        shell = entry.pw_shell or "/bin/sh"
        if Path(shell).name in ("nologin", "false") or not os.access(shell, os.X_OK):
            raise SshServerError(f"{entry.pw_name}'s login shell {shell} cannot run commands over SSH")
        if os.geteuid() == 0:
            # Without PAM, sshd refuses accounts whose shadow password starts with "!" (locked).
            try:
                for line in Path("/etc/shadow").read_text().splitlines():
                    name, _, rest = line.partition(":")
                    if name == entry.pw_name and rest.startswith("!"):
                        raise SshServerError(
                            f"account {entry.pw_name} is locked ('!' in /etc/shadow); sshd without PAM refuses it "
                            f"(unlock with: usermod -p '*' {entry.pw_name})"
                        )
            except OSError:
                pass

    def _write_config(self, extra: tuple[str, ...] = ("PerSourcePenalties no",)) -> None:
        git = shutil.which("git")
        path = [str(Path(sys.executable).parent)]
        if git:
            path.append(str(Path(git).parent))
        path += ["/usr/local/bin", "/usr/bin", "/bin"]
        path = list(dict.fromkeys(path))
        lines = [
            f"ListenAddress {HOST}",
            f"Port {self.port}",
            f"HostKey {self.host_key}",
            f"PidFile {self.pid_file}",
            f"AuthorizedKeysFile {self.authorized_keys}",
            "AuthorizedKeysCommand none",
            "AuthorizedPrincipalsFile none",
            f"AllowUsers {self.user}",
            "PermitRootLogin prohibit-password",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "HostbasedAuthentication no",
            "GSSAPIAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "UseDNS no",
            "PermitUserRC no",
            "PermitUserEnvironment yes",
            "PrintMotd no",
            "PrintLastLog no",
            "X11Forwarding no",
            "AcceptEnv GIT_PROTOCOL LANG LC_*",
            # One SetEnv line: sshd keeps the first SetEnv it reads, and these override its own defaults.
            "SetEnv "
            + " ".join(
                shlex.quote(f"{k}={v}")
                for k, v in {
                    "PATH": ":".join(path),
                    "HOME": str(self.remote_home),
                    "GIT_CONFIG_NOSYSTEM": "1",
                    "LANG": "C.UTF-8",
                }.items()
            ),
            "MaxStartups 100:30:200",
            "LoginGraceTime 30",
            "LogLevel VERBOSE",
            "Subsystem sftp internal-sftp",
        ]
        for option in extra:  # newer options an older sshd would reject
            self.config_file.write_text("\n".join([*lines, option]) + "\n")
            if self._config_ok():
                lines.append(option)
        self.config_file.write_text("\n".join(lines) + "\n")
        check = self._test_config()
        if check.returncode != 0:
            raise SshServerError(f"sshd rejects its config {self.config_file}:\n{check.stderr}")

    def _config_ok(self) -> bool:
        option = self.config_file.read_text().splitlines()[-1]
        if option not in _OPTION_OK:
            _OPTION_OK[option] = self._test_config().returncode == 0
        return _OPTION_OK[option]

    def _test_config(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            [self.sshd, "-t", "-f", str(self.config_file)],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=30,
            check=False,
        )

    def _launch(self, timeout: float) -> bool:
        """Start sshd and wait for its banner; False if it exited because the port was taken."""
        self.log_file.write_text("")
        self._stderr = open(self.dir / "sshd.stderr", "w")
        self.proc = subprocess.Popen(
            [self.sshd, "-D", "-e", "-E", str(self.log_file), "-f", str(self.config_file)],
            stdin=subprocess.DEVNULL,
            stdout=self._stderr,
            stderr=self._stderr,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                self._stderr.close()
                if "Address already in use" in self.log():
                    return False
                raise SshServerError(f"sshd exited at start:\n{self.log()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as sock:
                    if sock.recv(64).startswith(b"SSH-"):
                        return True
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise SshServerError(f"sshd did not listen on {HOST}:{self.port} within {timeout} s:\n{self.log()}")
