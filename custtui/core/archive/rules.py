"""The company's business rules (``schema/rules.toml``: status periods, document naming, the
routines' thresholds, retention): read them, and change one value as one audited commit.

The file is one people also edit by hand, so a change goes through tomlkit, which keeps its
comments and layout; the whole standard is loaded again with the new value before anything is
written, so a value the schema refuses (a negative period, 沉睡 after 流失) is refused here with
the same message, naming the key.
"""

from __future__ import annotations

from typing import Any

from ..base.errors import CusttuiError, SchemaError
from ..base.layout import RULES_FILE, schema_file
from ..records.schema import Schema
from .archive import Archive

ACTION = "rules"


def rules_text(archive: Archive, at: str | None = None) -> str:
    """The archive's rules.toml as it is written, comments and all (the default before any commit)."""
    raw = archive.store.read(at or archive.head(), schema_file(RULES_FILE))
    return raw.decode("utf-8") if raw is not None else ""


def _value(text: str) -> Any:
    """A value as TOML writes it (180, ["high"], "vip"), or else the text itself as a string."""
    import tomlkit

    try:
        return tomlkit.parse(f"v = {text}")["v"]
    except tomlkit.exceptions.TOMLKitError:
        return text


def set_rule(archive: Archive, key: str, text: str) -> str | None:
    """Set ``key`` (``routines.value_window_days``, ``retention.years.service``) to the value
    ``text`` writes, as one commit; None when it already has that value."""
    import tomlkit

    parts = key.strip().split(".")
    value = _value(text.strip())

    def build(head: str | None) -> tuple[dict[str, bytes], str] | None:
        path = schema_file(RULES_FILE)
        current = archive.store.read(head, path)
        document = tomlkit.parse(current.decode("utf-8") if current else "")
        known = archive.schema(head).rules
        table: Any = document
        for depth, part in enumerate(parts[:-1]):
            if not isinstance(known, dict) or part not in known:
                raise CusttuiError(_unknown(key, archive.schema(head).rules))
            known = known[part]
            if part not in table:  # a section or table this archive's file predates
                table[part] = tomlkit.table() if depth == 0 else _written(known)
            table = table[part]
        leaf = parts[-1]
        if not isinstance(known, dict) or (leaf not in known and len(parts) < 3):
            raise CusttuiError(_unknown(key, archive.schema(head).rules))
        before = known.get(leaf)
        if before == value:
            return None
        table[leaf] = value
        written = tomlkit.dumps(document).encode("utf-8")
        try:
            Schema.load(lambda name: written if name == RULES_FILE else archive.store.read(head, schema_file(name)))
        except SchemaError as exc:
            raise CusttuiError(f"业务规则 {key} 不能设为 {text}: {exc}") from None
        detail = f"{key} {_shown(before)} → {_shown(value)}"
        return {path: written}, archive.commit_message("修改业务规则", None, None, detail, ACTION, [key])

    return archive.commit_change(build)


def _written(value: Any) -> Any:
    """A table the file lacks, written out in full as the shipped file writes it (its own
    entries inline): only a section's keys fall back to the defaults one by one, a table's
    entries do not (``[retention.customers]`` given replaces the default rules)."""
    import tomlkit

    table = tomlkit.table()
    for key, item in value.items():
        if isinstance(item, dict):
            inline = tomlkit.inline_table()
            inline.update(item)
            item = inline
        table[key] = item
    return table


def _shown(value: Any) -> str:
    if value is None:
        return "(无)"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _unknown(key: str, rules: dict) -> str:
    keys = [f"{section}.{name}" for section, body in rules.items() for name in body]
    return f"业务规则中没有 {key}: 可设置的有 {'、'.join(keys)}"
