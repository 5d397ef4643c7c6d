"""Errors the user sees. ``str(error)`` is one clear Chinese sentence."""

from __future__ import annotations


class CusttuiError(Exception):
    """Base of every error meant for the user; the message is in Chinese."""


class FieldError(CusttuiError):
    """A value broke a rule: names the field by its label, and the rule (``field`` keeps its code
    for the command line, where people type codes)."""

    def __init__(self, field: str, label: str, rule: str):
        self.field, self.label, self.rule = field, label, rule
        super().__init__(f"字段「{label}」: {rule}")


class SchemaError(CusttuiError):
    """The archive's classification standard is broken: names the file and the key."""

    def __init__(self, file: str, key: str, problem: str):
        self.file, self.key, self.problem = file, key, problem
        super().__init__(f"分类标准文件 {file} 的 {key}: {problem}")


class RecordError(CusttuiError):
    """A stored record cannot be read: names the file and, where known, the line."""

    def __init__(self, path: str, problem: str, line: int | None = None):
        self.path, self.problem, self.line = path, problem, line
        where = f"{path} 第 {line} 行" if line else path
        super().__init__(f"记录文件 {where}: {problem}")


class NotFound(CusttuiError):
    """A customer, document or commit that does not exist."""


class ConflictError(CusttuiError):
    """Someone else changed the same field since the caller read it."""

    def __init__(self, customer_id: str, conflicts: list[tuple[str, object, object]]):
        self.customer_id, self.conflicts = customer_id, conflicts
        parts = "; ".join(f"「{f}」对方改为 {theirs!r}, 你改为 {mine!r}" for f, theirs, mine in conflicts)
        super().__init__(f"{customer_id} 已被他人修改, 与你的修改冲突: {parts}")


class NotARepository(CusttuiError):
    """The archive path is not a git repository made by custtui."""
