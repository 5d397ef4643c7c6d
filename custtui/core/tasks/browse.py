"""The classification tree people browse: a view over customers' fields, not folders.

Levels are any order of dimensions (客户类型 → 合作阶段 → 行业 by default; 行业 → 规模, 地区 → 价值层级 …).
A node is the path of codes from the root; its children and members are computed from the listing
summaries and cached, each level filtering only its parent's members, so expanding a node at 100k
customers touches the customers under it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from ..base.errors import CusttuiError
from ..index.analysis import pinyin_key
from ..index.listing import Summary
from ..records.schema import Schema

UNSET = ""
INDIVIDUAL = "individual"  # the customer type whose name is a person's
UNSET_LABEL = "(未填)"


@dataclass(frozen=True)
class Level:
    """One way to classify: the summary field it reads and how its values are named and ordered."""

    code: str
    label: str
    field: str
    dimension: str | None = None


LEVELS: dict[str, Level] = {
    level.code: level
    for level in (
        Level("type", "客户类型", "type", "customer_type"),
        Level("stage", "合作阶段", "stage", "stage"),
        Level("status", "客户状态", "status", "status"),
        Level("industry", "行业", "industry", "industry"),
        Level("size", "规模", "size", "size"),
        Level("value_tier", "价值层级", "value_tier", "value_tier"),
        Level("grade", "客户等级", "grade", "grade"),
        Level("demand_types", "需求类型", "demand_types", "demand_type"),
        Level("color", "颜色标签", "color", "color"),
        Level("area", "地区", "region"),
        Level("province", "省份", "region"),
        Level("owner", "负责人", "owner"),
    )
}
DEFAULT_ORDER = ("type", "stage", "industry")


def parse_order(codes: Iterable[str]) -> tuple[str, ...]:
    """Level codes or labels → codes, each once; an unknown one is a clear error."""
    result = []
    for text in codes:
        text = str(text).strip()
        level = LEVELS.get(text) or next((lv for lv in LEVELS.values() if lv.label == text), None)
        if level is None:
            known = "、".join(f"{lv.label}({lv.code})" for lv in LEVELS.values())
            raise CusttuiError(f"「{text}」不是可用的分类维度, 可选: {known}")
        if level.code not in result:
            result.append(level.code)
    if not result:
        raise CusttuiError("分类树至少需要一个维度")
    return tuple(result)


@dataclass(frozen=True)
class Node:
    path: tuple[str, ...]
    label: str
    count: int

    @property
    def value(self) -> str:
        return self.path[-1]


class Classification:
    """Customers grouped by an order of levels."""

    def __init__(self, schema: Schema, customers: Mapping[str, Summary], order: Sequence[str] = DEFAULT_ORDER):
        self.schema = schema
        self.order = parse_order(order)
        self.customers = customers
        self._members: dict[tuple[str, ...], list[Summary]] = {(): list(customers.values())}
        self._children: dict[tuple[str, ...], list[Node]] = {}

    @property
    def total(self) -> int:
        return len(self.customers)

    def level(self, depth: int) -> Level:
        return LEVELS[self.order[depth]]

    def values_of(self, summary: Summary, level: Level) -> list[str]:
        """The codes a customer has for a level (several for a multi-valued field, UNSET when empty)."""
        raw = summary.get(level.field)
        if raw is None:
            return [UNSET]
        if level.code == "area":
            return [self.schema.macro_region(raw) or UNSET]
        if level.code == "province":
            return [raw[:2] + "0000"]
        return raw if isinstance(raw, list) else [raw]

    def label(self, level: Level, value: str) -> str:
        if value == UNSET:
            return UNSET_LABEL
        if level.dimension:
            return self.schema.label(level.dimension, value)
        if level.code == "province":
            return self.schema.region_label(value)
        if level.code == "area":
            return self.schema.macro_regions.get(value, value)
        return value

    def members(self, path: tuple[str, ...]) -> list[Summary]:
        """The customers under a node (the whole archive for the root)."""
        found = self._members.get(path)
        if found is None:
            level = self.level(len(path) - 1)
            wanted = path[-1]
            found = [s for s in self.members(path[:-1]) if wanted in self.values_of(s, level)]
            self._members[path] = found
        return found

    def children(self, path: tuple[str, ...] = ()) -> list[Node]:
        """The nodes one level below ``path`` with their counts, in the standard's order; empty at the last level."""
        if len(path) >= len(self.order):
            return []
        cached = self._children.get(path)
        if cached is not None:
            return cached
        level = self.level(len(path))
        groups: dict[str, list[Summary]] = {}
        for summary in self.members(path):
            for value in self.values_of(summary, level):
                groups.setdefault(value, []).append(summary)
        rank = self._rank(level)
        nodes = []
        for value in sorted(groups, key=lambda v: (v == UNSET, rank(v))):
            self._members[(*path, value)] = groups[value]
            nodes.append(Node((*path, value), self.label(level, value), len(groups[value])))
        self._children[path] = nodes
        return nodes

    def describe(self, path: tuple[str, ...]) -> str:
        """``企业客户 › 签约客户 › 制造业`` for a node; 全部客户 for the root."""
        if not path:
            return "全部客户"
        return " › ".join(self.label(self.level(i), value) for i, value in enumerate(path))

    def _rank(self, level: Level) -> Callable[[str], tuple]:
        if level.dimension:
            position = {v.code: i for i, v in enumerate(self.schema.dimension(level.dimension).values)}
            return lambda code: (position.get(code, len(position)), code)
        if level.code == "area":
            position = {code: i for i, code in enumerate(self.schema.macro_regions)}
            return lambda code: (position.get(code, len(position)), code)
        if level.code == "province":
            return lambda code: (0, code)
        person = level.code == "owner"  # a person's name: the surname read as one
        return lambda text: (0, pinyin_key(self.label(level, text), person))


SORT_COLUMNS = ("id", "name", "type", "stage", "status", "industry", "region", "value_tier", "owner", "first_contact")


def sort_customers(customers: list[Summary], column: str, reverse: bool = False) -> list[Summary]:
    """Customers ordered by a listed column; names and owners by pinyin (an individual's name and
    an owner's with the surname read as one), empty values last."""
    if column not in SORT_COLUMNS:
        raise CusttuiError(f"不能按「{column}」排序")
    if column == "id":  # the default order, and every customer has one: the fast path
        return sorted(customers, key=lambda summary: summary.id, reverse=reverse)
    text = column in ("name", "owner")

    def key(summary: Summary):
        value = summary.get(column)
        if value is None:
            return (1, "")
        if not text:
            return (0, str(value))
        return (0, pinyin_key(value, column == "owner" or summary.get("type") == INDIVIDUAL))

    ordered = sorted(customers, key=key, reverse=reverse)
    if reverse:  # keep customers without the value at the end either way
        ordered.sort(key=lambda s: s.get(column) is None)
    return ordered
