"""The selected customer in tabs: 概况, 联系人, 沟通记录, 交易, 文档, 历史."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rich.console import Group
from rich.markup import escape
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static, TabbedContent, TabPane, Tree
from textual.widgets.tree import TreeNode

from ...core.archive.archive import Document, HistoryEntry
from ...core.records.present import (
    LOCKED_TEXT,
    Fields,
    contact_fields,
    deal_fields,
    display,
    field_label,
    note_fields,
)
from ...core.records.records import SEALED_KEY
from ...core.records.schema import Schema
from ...core.tasks.profile import Profile
from ..screens.record_detail import RecordDetailScreen, fields_grid
from .fit_table import Clip, Col, FitTable, clip

COLOURS = {
    "red": "red",
    "orange": "dark_orange",
    "yellow": "yellow",
    "green": "green",
    "blue": "dodger_blue2",
    "grey": "grey62",
}
OVERVIEW_SKIP = {"id", "name", "type", "contacts", "stage_history"}
CONFLICT_STYLE = "bold yellow"
TALL = 30  # from this height the highlighted communication record is shown whole under the list

# each table keeps the column that carries its meaning; the others give way first on a narrow pane
CONTACT_COLUMNS = (
    Col("姓名", 6, weight=1, most=12),
    Col("职务", 6, weight=2, drop=2),
    Col("电话", 11, weight=2),
    Col("邮箱", 8, weight=2, drop=3),
    Col("决策人", 6, drop=1),
)
NOTE_COLUMNS = (
    Col("时间", 10, weight=3, most=16, whole=True),
    Col("方式", 8),
    Col("内容", 20, weight=8),
    Col("参与人", 6, weight=2, most=14, drop=2),
    Col("记录人", 6, drop=1),
)
DEAL_COLUMNS = (
    Col("日期", 10),
    Col("金额 (元)", 10, weight=1, most=14),
    Col("产品/服务", 12, weight=6),
    Col("合同编号", 8, weight=1, most=14, drop=2),
    Col("记录人", 6, drop=1),
)
HISTORY_COLUMNS = (
    Col("时间", 10, weight=3, most=16, whole=True),
    Col("操作人", 6, drop=1),
    Col("改动", 16, weight=8),
)


class DocumentTree(Tree):
    """The customer's documents by category; a label longer than the pane is cut after a word."""

    def render_label(self, node: TreeNode, base_style: Style, style: Style) -> Text:
        label = super().render_label(node, base_style, style)
        depth, parent = 0, node.parent
        while parent is not None and parent is not self.root:
            depth, parent = depth + 1, parent.parent
        room = self.scrollable_content_region.width - depth * self.guide_depth
        return clip(label, room) if room > 0 else label


def change_of(entry: HistoryEntry, customer_id: str) -> str:
    """What a commit did to the customer shown, without the customer's own ID and name that every
    commit subject repeats (``沟通记录 BJ-000001 北京华信…: 电话 …`` → ``沟通记录: 电话 …``)."""
    action, marker, rest = entry.summary.partition(f" {customer_id} ")
    if not marker:
        return entry.summary
    _, colon, detail = rest.partition(": ")
    return f"{action}: {detail}" if colon else action


def open_conflicts_in(profile: Profile) -> int:
    """Open sync conflicts recorded in the customer's record and in its documents' metadata."""
    return len(profile.record.get("conflicts", [])) + sum(len(d.meta.get("conflicts", [])) for d in profile.documents)


def colour_badge(schema: Schema, code: str | None) -> Text:
    if not code:
        return Text("")
    meaning = schema.dimension("color").value(code)
    label = schema.label("color", code) + (
        f" {meaning.extra.get('meaning')}" if meaning and meaning.extra.get("meaning") else ""
    )
    return Text.assemble(("●", COLOURS.get(code, "white")), " ", label)


class CustomerPane(Vertical):
    """Shows one Profile; asks for the history only when its tab is opened."""

    class HistoryWanted(Message):
        def __init__(self, customer_id: str) -> None:
            super().__init__()
            self.customer_id = customer_id

    class DocumentChosen(Message):
        def __init__(self, customer_id: str, document: Document) -> None:
            super().__init__()
            self.customer_id, self.document = customer_id, document

    class CommitChosen(Message):
        def __init__(self, commit: str) -> None:
            super().__init__()
            self.commit = commit

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.profile: Profile | None = None
        self.schema: Schema | None = None
        self.history_for: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("请选择客户", id="customer-title")
        with TabbedContent(id="customer-tabs"):
            with TabPane("概况", id="tab-overview"):
                yield VerticalScroll(Static(id="overview"))
            with TabPane("联系人", id="tab-contacts"):
                yield FitTable(CONTACT_COLUMNS, id="contacts")
            with TabPane("沟通记录", id="tab-notes"):
                yield FitTable(NOTE_COLUMNS, id="notes")
                yield Static("暂无沟通记录 (按 c 添加)", id="notes-empty", classes="hint")
                with VerticalScroll(id="note-preview-box"):
                    yield Static(id="note-preview")
            with TabPane("交易", id="tab-deals"):
                yield FitTable(DEAL_COLUMNS, id="deals")
                yield Static(id="deals-total")
            with TabPane("文档", id="tab-documents"):
                yield DocumentTree("文档", id="documents")
            with TabPane("历史", id="tab-history"):
                yield FitTable(HISTORY_COLUMNS, id="history")

    def on_mount(self) -> None:
        self.query_one("#documents", Tree).show_root = False

    def on_resize(self) -> None:
        self.set_class(self.size.height >= TALL, "-tall")

    # --- showing -------------------------------------------------------------------------

    def show_profile(self, profile: Profile, schema: Schema) -> None:
        self.profile, self.schema = profile, schema
        self.history_for = None
        record = profile.record
        conflicts = open_conflicts_in(profile)
        title = Text.assemble(
            (f"⚠{conflicts} ", CONFLICT_STYLE) if conflicts else "",
            (record.get("name", ""), "bold"),
            f"  {record['id']}  ",
            (schema.label("customer_type", record["type"]), "italic"),
            "  ",
            colour_badge(schema, record.get("color")),
        )
        self.query_one("#customer-title", Static).update(title)
        overview = self._overview(record, schema)
        if conflicts:
            note = Text(f"⚠ 未解决的同步冲突: {conflicts} 处 — 按 {self._sync_key()} 处理", style=CONFLICT_STYLE)
            overview = Group(note, Text(""), overview)
        self.query_one("#overview", Static).update(overview)
        self._contacts(record)
        self._notes(profile, schema)
        self._deals(profile)
        self._documents(profile, schema)
        self.query_one("#history", FitTable).set_rows([])
        if self.query_one(TabbedContent).active == "tab-history":
            self._want_history()

    def _sync_key(self) -> str:
        """The key that opens the sync screen (as rebound in the keymap, if it was)."""
        for active in self.screen.active_bindings.values():
            if active.binding.id == "main.sync":
                return self.app.get_key_display(active.binding)
        return "S"

    def _overview(self, record: dict, schema: Schema) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        if isinstance(step := record.get("follow_up"), dict):
            late = (date.today() - step["date"]).days if isinstance(step.get("date"), date) else 0
            grid.add_row(
                "下次跟进",
                Text.assemble(
                    display(schema, "follow_up", step), (f"  逾期 {late} 天", "bold red") if late > 0 else ""
                ),
            )
        for definition in schema.fields_for(record["type"]):
            if definition.code in OVERVIEW_SKIP or definition.code not in record:
                continue
            value = record[definition.code]
            shown = (
                colour_badge(schema, value)
                if definition.code == "color"
                else Text(display(schema, definition.code, value))
            )
            grid.add_row(definition.label, shown)
        if record.get(SEALED_KEY):  # personal fields this copy cannot open, or an erasure destroyed
            grid.add_row(field_label(schema, SEALED_KEY), Text(display(schema, SEALED_KEY, record[SEALED_KEY]), "dim"))
        steps = record.get("stage_history", [])
        if steps:
            grid.add_row("", "")
            grid.add_row("阶段历史", "")
            for step in steps:
                origin = schema.label("stage", step["from"]) if step.get("from") else "(新建)"
                moved = f"{origin} → {schema.label('stage', step['to'])}"
                extra = "  ".join(x for x in (step.get("reason", ""), step.get("by", "")) if x)
                grid.add_row(f"  {step['date']}", f"{moved}  {extra}".rstrip())
        return grid

    def _contacts(self, record: dict) -> None:
        self.query_one("#contacts", FitTable).set_rows(
            (
                str(i),
                [
                    contact.get("name", ""),
                    contact.get("position", ""),
                    "、".join(contact.get("phones", [])),
                    contact.get("email", ""),
                    "是" if contact.get("decision_maker") else "",
                ],
            )
            for i, contact in enumerate(record.get("contacts", []))
        )

    def _notes(self, profile: Profile, schema: Schema) -> None:
        rows = []
        for i, note in enumerate(profile.notes):
            body = note.get("content") or (f"({LOCKED_TEXT})" if note.get(SEALED_KEY) else "")
            for key, label in (("needs", "需求"), ("feedback", "反馈")):
                if note.get(key):
                    body += f"\n{label}: {note[key]}"
            rows.append(
                (
                    str(i),
                    [
                        Clip(f"{note['time']:%Y-%m-%d %H:%M}", short=f"{note['time']:%Y-%m-%d}"),
                        schema.label("channel", note["channel"]),
                        body,
                        "、".join(note.get("participants", [])),
                        note.get("by", ""),
                    ],
                )
            )
        self.query_one("#notes", FitTable).set_rows(rows)
        self.query_one("#notes", FitTable).display = bool(rows)
        self.query_one("#notes-empty", Static).display = not rows
        self._preview_note()

    def _preview_note(self) -> None:
        """The highlighted communication record, whole, under the list (on a tall pane)."""
        preview = self.query_one("#note-preview", Static)
        key = self.query_one("#notes", FitTable).current_key
        if self.profile is None or self.schema is None or key is None:
            preview.update("")
            return
        preview.update(fields_grid(note_fields(self.profile.notes[int(key)], self.schema)))

    def _deals(self, profile: Profile) -> None:
        total = Decimal(0)
        rows = []
        for i, deal in enumerate(profile.deals):
            amount = Decimal(str(deal["amount"]))
            total += amount
            rows.append(
                (
                    str(i),
                    [
                        str(deal["date"]),
                        Clip(f"{amount:,.2f}", justify="right"),
                        deal.get("product", ""),
                        deal.get("contract", ""),
                        deal.get("by", ""),
                    ],
                )
            )
        self.query_one("#deals", FitTable).set_rows(rows)
        summary = f"共 {len(profile.deals)} 笔, 合计 {total:,.2f} 元" if profile.deals else "暂无交易记录 (按 t 添加)"
        self.query_one("#deals-total", Static).update(summary)

    def _documents(self, profile: Profile, schema: Schema) -> None:
        tree = self.query_one("#documents", Tree)
        tree.clear()
        categories = profile.categories(schema)
        if not categories:
            tree.root.add_leaf("暂无文档 (按 a 归档)")
        for label, filed in categories:
            branch = tree.root.add(f"{escape(label)} [dim]{len(filed)}[/]", expand=True)
            for item in filed:
                node = branch.add(
                    self._document_label(item.document, schema, item.cross_reference),
                    data=item.document,
                    expand=True,
                    allow_expand=bool(item.attachments),
                )
                for attachment in item.attachments:
                    node.add_leaf("附件 " + self._document_label(attachment, schema, False), data=attachment)

    @staticmethod
    def _document_label(doc: Document, schema: Schema, cross: bool) -> str:
        meta = doc.meta
        parts = [escape(doc.name), f"[dim]{meta.get('date', '')}[/]"]
        sensitivity = meta.get("sensitivity")
        if sensitivity in ("confidential", "secret"):
            parts.append(f"[red]{schema.label('sensitivity', sensitivity)}[/]")
        if meta.get("paper_box") or meta.get("paper_shelf"):
            parts.append(
                f"[dim]纸质: {escape(' '.join(x for x in (meta.get('paper_box'), meta.get('paper_shelf')) if x))}[/]"
            )
        if cross:
            parts.insert(0, "[italic]↗ 另见[/]")
        return " ".join(parts)

    def show_history(self, customer_id: str, entries: list[HistoryEntry]) -> None:
        if self.profile is None or self.profile.customer_id != customer_id:
            return
        self.query_one("#history", FitTable).set_rows(
            (
                entry.commit,
                [
                    Clip(f"{entry.when:%Y-%m-%d %H:%M}", short=f"{entry.when:%Y-%m-%d}"),
                    entry.author,
                    change_of(entry, customer_id),
                ],
            )
            for entry in entries
        )
        self.history_for = customer_id

    # --- events --------------------------------------------------------------------------

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-history":
            self._want_history()

    def _want_history(self) -> None:
        if self.profile is not None and self.history_for != self.profile.customer_id:
            self.post_message(self.HistoryWanted(self.profile.customer_id))

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        if isinstance(event.node.data, Document) and self.profile is not None:
            self.post_message(self.DocumentChosen(self.profile.customer_id, event.node.data))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "notes":
            self._preview_note()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row: a commit opens its changes, any other record opens whole."""
        key, table = event.row_key.value, event.data_table.id
        if key is None or self.profile is None or self.schema is None:
            return
        event.stop()
        if table == "history":
            self.post_message(self.CommitChosen(key))
            return
        keys = [row.key.value for row in event.data_table.ordered_rows if row.key.value is not None]
        records = [self._record(table, int(row)) for row in keys]

        def follow(shown: int | None) -> None:  # the list's cursor on the record last read
            if shown is not None:
                event.data_table.move_cursor(row=shown)

        self.app.push_screen(RecordDetailScreen(records, keys.index(key)), follow)

    def _record(self, table: str | None, index: int) -> tuple[str, Fields]:
        """Row ``index`` of the notes, deals or contacts table: its title and fields."""
        assert self.profile is not None and self.schema is not None
        name = self.profile.record.get("name", "")
        if table == "notes":
            return f"沟通记录 · {name}", note_fields(self.profile.notes[index], self.schema)
        if table == "deals":
            return f"交易 · {name}", deal_fields(self.profile.deals[index])
        return f"联系人 · {name}", contact_fields(self.profile.record["contacts"][index])
