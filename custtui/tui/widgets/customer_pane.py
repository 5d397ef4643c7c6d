"""The selected customer in tabs: 概况, 联系人, 沟通记录, 交易, 文档, 历史."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static, TabbedContent, TabPane, Tree

from ...core.archive.archive import Document, HistoryEntry
from ...core.records.present import display
from ...core.records.schema import Schema
from ...core.tasks.profile import Profile

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
        self.history_for: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("请选择客户", id="customer-title")
        with TabbedContent(id="customer-tabs"):
            with TabPane("概况", id="tab-overview"):
                yield VerticalScroll(Static(id="overview"))
            with TabPane("联系人", id="tab-contacts"):
                yield DataTable(id="contacts", cursor_type="row", zebra_stripes=True)
            with TabPane("沟通记录", id="tab-notes"):
                yield VerticalScroll(Static(id="notes"))
            with TabPane("交易", id="tab-deals"):
                yield DataTable(id="deals", cursor_type="row", zebra_stripes=True)
                yield Static(id="deals-total")
            with TabPane("文档", id="tab-documents"):
                yield Tree("文档", id="documents")
            with TabPane("历史", id="tab-history"):
                yield DataTable(id="history", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#contacts", DataTable).add_columns("姓名", "职务", "电话", "邮箱", "决策人")
        self.query_one("#deals", DataTable).add_columns("日期", "金额 (元)", "产品/服务", "合同编号", "记录人")
        self.query_one("#history", DataTable).add_columns("时间", "操作人", "内容")
        self.query_one("#documents", Tree).show_root = False

    # --- showing -------------------------------------------------------------------------

    def show_profile(self, profile: Profile, schema: Schema) -> None:
        self.profile = profile
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
        self.query_one("#notes", Static).update(self._notes(profile, schema))
        self._deals(profile)
        self._documents(profile, schema)
        self.query_one("#history", DataTable).clear()
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
        table = self.query_one("#contacts", DataTable)
        table.clear()
        for contact in record.get("contacts", []):
            table.add_row(
                contact.get("name", ""),
                contact.get("position", ""),
                "、".join(contact.get("phones", [])),
                contact.get("email", ""),
                "是" if contact.get("decision_maker") else "",
            )

    def _notes(self, profile: Profile, schema: Schema) -> Table | str:
        if not profile.notes:
            return "暂无沟通记录 (按 c 添加)"
        table = Table(expand=True, show_lines=True)
        for column, width in (("时间", 16), ("方式", 8), ("参与人", 12), ("内容", None), ("记录人", 8)):
            table.add_column(column, width=width, no_wrap=width is not None)
        for note in profile.notes:
            body = Text(note.get("content", ""))
            for key, label in (("needs", "需求"), ("feedback", "反馈")):
                if note.get(key):
                    body.append(f"\n{label}: ", style="bold").append(note[key])
            table.add_row(
                f"{note['time']:%Y-%m-%d %H:%M}",
                schema.label("channel", note["channel"]),
                "、".join(note.get("participants", [])),
                body,
                note.get("by", ""),
            )
        return table

    def _deals(self, profile: Profile) -> None:
        table = self.query_one("#deals", DataTable)
        table.clear()
        total = Decimal(0)
        for deal in profile.deals:
            amount = Decimal(str(deal["amount"]))
            total += amount
            table.add_row(
                str(deal["date"]),
                Text(f"{amount:,.2f}", justify="right"),
                deal.get("product", ""),
                deal.get("contract", ""),
                deal.get("by", ""),
            )
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
        table = self.query_one("#history", DataTable)
        table.clear()
        for entry in entries:
            table.add_row(f"{entry.when:%Y-%m-%d %H:%M}", entry.author, entry.summary, key=entry.commit)
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

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "history" and event.row_key.value:
            event.stop()
            self.post_message(self.CommitChosen(event.row_key.value))
