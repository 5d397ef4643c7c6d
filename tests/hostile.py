"""A hostile copy of an archive, made with plain git: commits any author, any content, and raw tree
objects (``git hash-object --literally``) for names and modes git itself would refuse to write.

    evil = Hostile(tmp_path / "evil", hub_url)
    tree = evil.put(evil.head_tree(), "customers/BJ/000/BJ-000001/customer.toml", b'name = "x"')
    evil.push(evil.commit(tree, "坏人 <bad@SH>"))
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

FILE, FOLDER = b"100644", b"40000"


def _sort_key(entry: tuple[bytes, bytes, str]) -> bytes:
    mode, name, _ = entry
    return name + b"/" if mode == FOLDER else name


class Hostile:
    """A plain-git clone that writes whatever it likes."""

    def __init__(self, path: Path, url: str, env: dict | None = None, *, clone: bool = True):
        self.path, self.url, self.env = Path(path), url, {**os.environ, **(env or {})}
        if clone:
            self.git("clone", "-q", url, str(self.path), cwd=None)

    def git(
        self,
        *args: str,
        input: bytes | None = None,
        cwd: Path | None | str = "",
        env: dict | None = None,
        check: bool = True,
    ) -> subprocess.CompletedProcess:
        where = self.path if cwd == "" else cwd
        return subprocess.run(
            ["git", *args],
            cwd=where,
            input=input,
            capture_output=True,
            check=check,
            timeout=120,
            env={**self.env, **(env or {})},
        )

    def out(self, *args: str) -> str:
        return self.git(*args).stdout.decode().strip()

    # --- objects ---------------------------------------------------------------------------

    def blob(self, data: bytes) -> str:
        return self.git("hash-object", "-w", "--stdin", input=data).stdout.decode().strip()

    def raw_tree(self, entries: list[tuple[bytes, bytes, str]], *, sort: bool = True) -> str:
        """A tree object from (mode, name, sha) exactly as given (names may be anything but NUL)."""
        ordered = sorted(entries, key=_sort_key) if sort else entries
        data = b"".join(mode + b" " + name + b"\0" + bytes.fromhex(sha) for mode, name, sha in ordered)
        return self.git("hash-object", "-w", "--literally", "-t", "tree", "--stdin", input=data).stdout.decode().strip()

    def entries(self, tree: str | None) -> list[tuple[bytes, bytes, str]]:
        if not tree:
            return []
        raw = self.git("cat-file", "tree", tree).stdout
        found, pos = [], 0
        while pos < len(raw):
            space, nul = raw.index(b" ", pos), raw.index(b"\0", pos)
            found.append((raw[pos:space], raw[space + 1 : nul], raw[nul + 1 : nul + 21].hex()))
            pos = nul + 21
        return found

    def head_tree(self, commit: str = "HEAD") -> str:
        return self.out("rev-parse", f"{commit}^{{tree}}")

    def put(
        self, tree: str | None, path: str | bytes | list[bytes], content: bytes | str | None, mode: bytes = FILE
    ) -> str:
        """``tree`` with ``content`` (bytes, or an existing object's id) at ``path`` (None: removed).
        ``path`` may be a list of raw name components, to use names that contain ``/``."""
        parts = path if isinstance(path, list) else (path.encode() if isinstance(path, str) else path).split(b"/")
        entries = [e for e in self.entries(tree) if e[1] != parts[0]]
        if len(parts) == 1:
            if content is not None:
                sha = content if isinstance(content, str) else self.blob(content)
                entries.append((mode, parts[0], sha))
        else:
            inner = next((sha for m, name, sha in self.entries(tree) if name == parts[0] and m == FOLDER), None)
            sub = self.put(inner, parts[1:], content, mode)
            if self.entries(sub):
                entries.append((FOLDER, parts[0], sub))
        return self.raw_tree(entries)

    def commit(
        self,
        tree: str,
        author: str = "坏人 <bad@SH>",
        message: str = "改动",
        parents: list[str] | None = None,
        sign_with: Path | None = None,
    ) -> str:
        name, email = author[:-1].split(" <")
        env = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }
        args: list[str] = []
        for parent in parents if parents is not None else [self.out("rev-parse", "HEAD")]:
            args += ["-p", parent]
        config = ["-c", "gpg.format=ssh", "-c", f"user.signingKey={sign_with}"] if sign_with else []
        return (
            self.git(*config, "commit-tree", tree, *args, *(["-S"] if sign_with else []), "-m", message, env=env)
            .stdout.decode()
            .strip()
        )

    def fetch(self) -> str:
        """Catch up with the hub: its head becomes this clone's HEAD."""
        self.git("fetch", "-q", self.url, "main")
        return self.advance(self.out("rev-parse", "FETCH_HEAD"))

    def advance(self, commit: str) -> str:
        """Make ``commit`` this clone's HEAD (for the next commit on top)."""
        self.git("update-ref", "HEAD", commit)
        return commit

    def push(
        self,
        commit: str,
        ref: str = "refs/heads/main",
        url: str | None = None,
        force: bool = False,
        env: dict | None = None,
    ) -> subprocess.CompletedProcess:
        return self.git(
            "push", *(["--force"] if force else []), url or self.url, f"{commit}:{ref}", check=False, env=env
        )
