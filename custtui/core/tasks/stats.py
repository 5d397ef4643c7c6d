"""The customer structure at a glance: how many customers by one or two dimensions (行业, 规模,
地域 by province, 价值层级, 合作阶段, 客户状态, 负责人, 客户类型), now or at a past commit, and
what changed since then (counts, moves of one dimension, customers added and gone).

Counts are read from the listing cache, never from every record; the past is the listing patched
back from the diff to the last commit on or before that day. Values are the labels of the
archive's own schema at that commit; a missing one is 未填.

Amounts are asked for apart, since the listing holds none: per group the transactions dated in
the quarterly tiers' window (rules.toml ``routines.value_window_days``, 365 days: 近12个月交易额)
up to today, and up to the past date at its commit, and the sum of 年采购额 from every record. One
``git ls-tree`` names the records and the deal files (a deal's date starts its name, so only those
in the window are read); the past's deal files are the head's with the diff undone. A person whose
policy masks amounts gets neither (a sum would reveal what the mask hides); one who may not view
cooperation records (交易记录) gets no transaction sums.

Measured on the synthetic 100k archive (bench/bench_stats.py, 2 cores at a load of 5 to 6.6, so
about twice an idle machine): 行业 × 阶段 2.1 s (every record: 24.9 s); against yesterday with
2,000 moves 7.7 s (38.1 s); with amounts 12.9 s (22.3 s). By 合作阶段 alone 1.0-1.3 s (0.7-0.8 s
of CPU) at a load of 4.8.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Callable, NamedTuple

from ..access.policy import CUSTOMER_RECORD, DEAL_RECORD, PermissionDenied
from ..archive.archive import Archive
from ..base.errors import CusttuiError
from ..base.layout import CUSTOMER_FILE, CUSTOMERS_DIR, DEALS_DIR
from ..index.listing import Summary, batch_read, customer_id_of
from ..records.records import loads
from ..records.schema import Schema
from . import view
from .tables import Table, cell_text, width

DIMENSIONS = ("industry", "size", "region", "value_tier", "stage", "status", "owner", "type")
LABELS = {
    "industry": "行业",
    "size": "规模",
    "region": "地域",
    "value_tier": "价值层级",
    "stage": "合作阶段",
    "status": "客户状态",
    "owner": "负责人",
    "type": "客户类型",
}
SHORT = {"阶段": "stage", "状态": "status", "类型": "type", "层级": "value_tier", "地区": "region", "省份": "region"}
SCHEMA_DIMENSION = {"type": "customer_type"}  # the listed field whose schema dimension has another name
MISSING = "未填"
TOTAL = "合计"
AMOUNT = "年采购额"
DEALS = "近12个月交易额"  # the title of the transactions' sum when its window is the default 365 days
AMOUNTS_HIDDEN = "金额按你的权限不显示 (年采购额已打码)"
DEALS_HIDDEN = "交易额按你的权限不显示 (不能查看合作记录)"


def dimension(schema: Schema, text: str) -> str:
    """A dimension's code from its code, its label (行业, 合作阶段) or a short name (阶段)."""
    wanted = str(text).strip()
    for code in DIMENSIONS:
        defined = schema.field(code)
        if wanted in (code, LABELS[code], defined.label if defined else None):
            return code
    if wanted in SHORT:
        return SHORT[wanted]
    raise CusttuiError(f"没有统计维度「{wanted}」: 可以按 {'、'.join(LABELS.values())} 统计")


def value_label(schema: Schema, dim: str, code: str | None) -> str:
    """What a customer counts under: the label of its value in ``dim`` (a region by its province)."""
    if not code:
        return MISSING
    if dim == "owner":
        return str(code)
    if dim == "region":
        province = schema.cities[code].province if code in schema.cities else code
        return schema.region_label(province)
    return schema.label(SCHEMA_DIMENSION.get(dim, dim), code)  # a code it does not know, as stored


def codes_at(archive: Archive, dims: tuple[str, ...], at: str | None) -> dict[str, tuple]:
    """Each customer this person may list at ``at``: its codes in ``dims``, each summary cut once
    (one dimension through ``get``, which cuts the summary only up to it: at 100k 0.4-0.7 s
    instead of 1.0-1.2 s on the loaded machine)."""
    if not archive.access.can_view(*CUSTOMER_RECORD):
        raise PermissionDenied(f"缺少权限「查看客户档案」: {archive.access.person or '当前用户'} 不能统计客户")
    listed: dict[str, Summary] = view.customers(archive, at)
    if len(dims) == 1:
        return {cid: (c.get(dims[0]),) for cid, c in listed.items()}
    return {cid: c.fields(*dims) for cid, c in listed.items()}


def labeller(schema: Schema, dims: tuple[str, ...]) -> Callable[[tuple], tuple[str, ...]]:
    """Codes to labels, each distinct tuple looked up once (at 100k, a lookup per customer took
    0.7 s of 1.4 s)."""
    known: dict[tuple, tuple[str, ...]] = {}

    def label(codes: tuple) -> tuple[str, ...]:
        found = known.get(codes)
        if found is None:
            found = known[codes] = tuple(value_label(schema, d, c) for d, c in zip(dims, codes, strict=True))
        return found

    return label


def _counts(codes: dict[str, tuple], label: Callable[[tuple], tuple[str, ...]]) -> Counter[tuple[str, ...]]:
    counted: Counter[tuple[str, ...]] = Counter()
    for key, n in Counter(codes.values()).items():
        counted[label(key)] += n
    return counted


@dataclass
class Change:
    """What changed between a past commit and now."""

    day: date
    commit: str | None  # the last commit on or before ``day``; None when the archive is younger
    before: Counter[tuple[str, ...]]
    moves: Counter[tuple[str, str]]  # (from, to) of the first dimension, for customers in both
    added: list[str]
    gone: list[str]
    deals: dict[tuple[str, ...], Decimal] | None = None  # the transactions of the 12 months up to ``day``


@dataclass
class Stats:
    dims: tuple[str, ...]
    counts: Counter[tuple[str, ...]]
    change: Change | None = field(default=None)
    amounts: dict[tuple[str, ...], Decimal] | None = None  # the sum of 年采购额 per group, when asked and allowed
    deals: dict[tuple[str, ...], Decimal] | None = None  # the transactions of the last 12 months per group
    window_days: int = 365  # the transactions' window: rules.toml's routines.value_window_days, as the quarterly tiers
    amounts_hidden: bool = False  # asked for, but the person's policy masks amounts (neither sum is given)
    deals_hidden: bool = False  # asked for, but the person may not view cooperation records
    ranks: tuple[dict[str, int], ...] = ()  # per dimension, label -> its place in the schema (潜在 before 签约)

    def _label_order(self, index: int, label: str) -> tuple[bool, int, str]:
        """The schema's order of a dimension's values, the rest by label, 未填 last."""
        rank = self.ranks[index] if index < len(self.ranks) else {}
        return (label == MISSING, rank.get(label, len(rank)), label)

    def _order(self, key: tuple[str, ...]) -> tuple:
        return tuple(self._label_order(i, label) for i, label in enumerate(key))

    @property
    def titles(self) -> list[str]:
        return [LABELS[d] for d in self.dims]

    def table(self) -> Table:
        """One row per group (the shape of the XLSX and of ``--json``), with its count then and
        the difference when a past date is compared."""
        keys = sorted(set(self.counts) | set(self.change.before if self.change else ()), key=self._order)
        header = [*self.titles, "客户数"]
        sums = [s for s in (self.deals, self.amounts) if s is not None]
        header += [title for title, s in ((self.deals_title, self.deals), (AMOUNT, self.amounts)) if s is not None]
        if self.change:
            header += [f"{self.change.day.isoformat()} 客户数", "变化"]
            if self.change.deals is not None:
                header.append(f"{self.change.day.isoformat()} {self.deals_title}")
        rows = []
        for key in keys:
            row: list = [*key, self.counts[key], *(s.get(key, Decimal(0)) for s in sums)]
            if self.change:
                then = self.change.before[key]
                row += [then, self.counts[key] - then]
                if self.change.deals is not None:
                    row.append(self.change.deals.get(key, Decimal(0)))
            rows.append(row)
        return Table(f"客户结构 按{'、'.join(self.titles)}", tuple(header), rows, personal=False)

    def as_dict(self) -> dict:
        table = self.table()
        data: dict = {
            "dimensions": self.titles,
            "total": sum(self.counts.values()),
            "groups": [dict(zip(table.header, row, strict=True)) for row in table.rows],
        }
        if self.amounts_hidden or self.deals_hidden:
            data["amounts"] = self.hidden
        if self.change:
            c = self.change
            data["since"] = {
                "date": c.day.isoformat(),
                "commit": c.commit,
                "total": sum(c.before.values()),
                "moves": [{"from": a, "to": b, "customers": n} for (a, b), n in c.moves.most_common()],
                "added": c.added,
                "gone": c.gone,
            }
        return data

    def text(self) -> str:
        """An aligned table for people: one dimension as a list, two as rows × columns."""
        total = sum(self.counts.values())
        if len(self.dims) == 2 and not self.change and self.amounts is None and self.deals is None:
            rows_of = sorted({k[0] for k in self.counts}, key=lambda label: self._label_order(0, label))
            cols = sorted({k[1] for k in self.counts}, key=lambda label: self._label_order(1, label))
            grid = [[f"{self.titles[0]} \\ {self.titles[1]}", *cols, TOTAL]]
            for r in rows_of:
                line = [self.counts[(r, c)] for c in cols]
                grid.append([r, *map(str, line), str(sum(line))])
            grid.append([TOTAL, *(str(sum(self.counts[(r, c)] for r in rows_of)) for c in cols), str(total)])
        else:
            table = self.table()
            grid = [list(table.header), *([cell_text(v) for v in row] for row in table.rows)]
            grid.append([TOTAL, *[""] * (len(self.dims) - 1), str(total)])
            grid[-1] += [cell_text(sum(s.values(), Decimal(0))) for s in (self.deals, self.amounts) if s is not None]
            if self.change:
                then = sum(self.change.before.values())
                grid[-1] += [str(then), str(total - then)]
                if self.change.deals is not None:
                    grid[-1].append(cell_text(sum(self.change.deals.values(), Decimal(0))))
        lines = [_aligned(grid)]
        if self.hidden:
            lines.append(self.hidden)
        if self.change:
            lines.append(self.change_text())
        return "\n".join(lines)

    @property
    def deals_title(self) -> str:
        return DEALS if self.window_days == 365 else f"近{self.window_days}天交易额"

    @property
    def hidden(self) -> str:
        """Why amounts asked for are not shown ("" when they are)."""
        return AMOUNTS_HIDDEN if self.amounts_hidden else DEALS_HIDDEN if self.deals_hidden else ""

    def change_text(self) -> str:
        c = self.change
        assert c is not None
        if c.commit is None:
            return f"{c.day.isoformat()} 时档案还没有提交, 以上全部为新增"
        out = [f"与 {c.day.isoformat()} (提交 {c.commit[:10]}) 相比: 新增 {len(c.added)} 个客户, 减少 {len(c.gone)} 个"]
        if c.moves:
            out.append(f"{self.titles[0]}变动:")
            out += [f"  {a} → {b}: {n}" for (a, b), n in c.moves.most_common()]
        if c.gone:
            out.append(f"减少的客户: {'、'.join(c.gone)}")
        return "\n".join(out)


def _ranks(schema: Schema, dim: str) -> dict[str, int]:
    """A dimension's labels in the schema's order (none for 地域 and 负责人, which go by name)."""
    if dim in ("region", "owner"):
        return {}
    return {v.label: i for i, v in enumerate(schema.dimension(SCHEMA_DIMENSION.get(dim, dim)).values)}


def _aligned(grid: list[list[str]]) -> str:
    """Columns padded to their widest cell, a Chinese character counting two."""
    widths = [max(width(row[i]) for row in grid) for i in range(len(grid[0]))]
    return "\n".join(
        "  ".join(cell + " " * (w - width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip() for row in grid
    )


def commit_on(archive: Archive, day: date) -> str | None:
    """The last commit of the archive's branch made on or before ``day`` (None if none)."""
    found = archive.store.git(
        "rev-list", "-1", f"--before={day.isoformat()} 23:59:59", archive.store.branch_ref
    ).stdout.decode()
    return found.strip() or None


class AmountFiles(NamedTuple):
    """Where the amounts of an archive are, at one commit."""

    records: dict[str, tuple[str, str]]  # customer ID -> (path, blob) of its customer.toml
    deals: dict[str, str]  # deal file path -> blob, every date


def amount_files(archive: Archive, at: str | None) -> AmountFiles:
    """The customer records and deal files at ``at``, from one ``git ls-tree`` (its 7 entries a
    customer at 100k are the cost: each is tested with a substring before it is cut)."""
    records: dict[str, tuple[str, str]] = {}
    deals: dict[str, str] = {}
    record_tail, deal_part = f"/{CUSTOMER_FILE}", f"/{DEALS_DIR}/"
    for path, blob in archive.store.files(at, f"{CUSTOMERS_DIR}/"):
        if path.endswith(record_tail) and (cid := customer_id_of(path)):
            records[cid] = (path, blob)
        elif deal_part in path and path.count("/") == 5:
            deals[path] = blob
    return AmountFiles(records, deals)


def deals_at(archive: Archive, now: AmountFiles, head: str | None, commit: str) -> dict[str, str]:
    """The deal files at an earlier ``commit``: those at the head with the diff between them
    undone (one ``git diff-tree`` instead of a second listing of the whole archive)."""
    files = dict(now.deals)
    for path, old, _ in archive.store.diff_commits_bulk(commit, head):
        if f"/{DEALS_DIR}/" in path and path.count("/") == 5:
            if old is None:
                files.pop(path, None)
            else:
                files[path] = old
    return files


def in_window(deals: dict[str, str], until: date, days: int) -> list[tuple[str, str, str]]:
    """(customer ID, path, blob) of the deals dated in the ``days`` up to ``until`` (the quarterly
    tiers' window): a deal's file name starts with its date, so none is read to know it."""
    low, high = f"{until - timedelta(days=days):%Y%m%d}", f"{until:%Y%m%d}"
    return [(p.split("/", 4)[3], p, b) for p, b in deals.items() if low < p.rsplit("/", 1)[1][:8] <= high]


def add_up(
    archive: Archive, files: list[tuple[str, str, str]], groups: dict[str, tuple[str, ...]], key: str
) -> dict[tuple[str, ...], Decimal]:
    """The sum of ``key`` per group over ``files`` (customer ID, path, blob) of the customers in
    ``groups``, read by one ``git cat-file --batch``; a value that is not a number (a hand edit)
    or a file that does not parse is left out."""
    wanted = [f for f in files if f[0] in groups]
    sums: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
    for (cid, path, _), raw in zip(wanted, batch_read(archive.store.git_dir, [f[2] for f in wanted]), strict=True):
        try:
            value = loads(raw, path).get(key)
            sums[groups[cid]] += Decimal(str(value)) if value not in (None, "") else Decimal(0)
        except (CusttuiError, InvalidOperation):
            continue
    return dict(sums)


def stats(
    archive: Archive, dims: list[str], since: date | None = None, *, amounts: bool = False, today: date | None = None
) -> Stats:
    """Counts by one or two dimensions (codes or labels) now, and their change since ``since``;
    with ``amounts``, per group the transactions of the window up to ``today`` (and up to
    ``since``) and the sum of 年采购额, as far as the person's policy shows amounts."""
    today = today or date.today()
    schema = archive.schema()
    codes = tuple(dict.fromkeys(dimension(schema, d) for d in dims or ["stage"]))
    if len(codes) > 2:
        raise CusttuiError("最多按两个维度统计")
    head = archive.head()
    now, label_now = codes_at(archive, codes, head), labeller(schema, codes)
    result = Stats(
        codes,
        _counts(now, label_now),
        window_days=schema.rules["routines"]["value_window_days"],
        ranks=tuple(_ranks(schema, d) for d in codes),
    )
    result.amounts_hidden = amounts and archive.access.masked("amounts")
    result.deals_hidden = amounts and not result.amounts_hidden and not archive.access.can_view(*DEAL_RECORD)
    deals = amounts and not result.amounts_hidden and not result.deals_hidden
    if amounts and not result.amounts_hidden:
        files = amount_files(archive, head)
        groups = {cid: label_now(k) for cid, k in now.items()}
        result.amounts = add_up(
            archive, [(cid, *found) for cid, found in files.records.items()], groups, "annual_purchase"
        )
        if deals:
            result.deals = add_up(archive, in_window(files.deals, today, result.window_days), groups, "amount")
    if since is None:
        return result
    commit = commit_on(archive, since)
    then = codes_at(archive, codes, commit) if commit else {}
    label_then = labeller(archive.schema(commit), codes)
    deals_then = None
    if deals:
        groups = {cid: label_then(k) for cid, k in then.items()}
        past = deals_at(archive, files, head, commit) if commit else {}
        deals_then = add_up(archive, in_window(past, since, result.window_days), groups, "amount")
    moved = ((label_then(then[cid])[0], label_now(k)[0]) for cid, k in now.items() if cid in then)
    result.change = Change(
        since,
        commit,
        _counts(then, label_then),
        Counter(move for move in moved if move[0] != move[1]),
        sorted(set(now) - set(then)),
        sorted(set(then) - set(now)),
        deals_then,
    )
    return result
