"""One filed document: its metadata, a preview of its text, a copy for the user, and where else
it is filed (同时归入, 纸质原件)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ...core.archive.archive import Archive, Document
from ...core.base.errors import ConflictError, CusttuiError, FieldError
from ...core.index.extracted import Extracted
from ...core.records.present import DOCUMENT_LABELS, document_display
from ...core.records.schema import Schema
from ...core.tasks import view
from ...core.tasks.intake import text_cache
from ..widgets.form import FieldRow

PREVIEW_CHARS = 20_000
EDITABLE = ("also_in", "paper_box", "paper_shelf")


class DocumentScreen(ModalScreen[str | None]):
    """Dismisses with the customer ID when a change was committed, otherwise None. ``document``
    needs only its name and blob: its description is read again when the screen opens."""

    CSS_PATH = "document.tcss"
    DEFAULT_CLASSES = "dialog"
    BINDINGS = [
        Binding("ctrl+s", "save", "保存修改", id="document.save"),
        Binding("ctrl+o", "export", "另存副本", id="document.export"),
        Binding("escape", "close", "关闭", id="document.close"),
    ]

    def __init__(self, customer_id: str, document: Document) -> None:
        super().__init__()
        self.customer_id, self.document = customer_id, document
        self.base: str | None = None  # the commit the shown metadata was read at
        self.shown: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static(Text(f"{self.customer_id}  {self.document.name}"), classes="dialog-title")
            yield Static("", id="doc-meta")
            yield Static("文字预览", classes="hint")
            with VerticalScroll(id="preview-box"):
                yield Static("正在提取文字…", id="preview", markup=False)
            yield FieldRow(
                "also_in",
                "同时归入",
                Input(id="f-also_in", placeholder="如 投诉处理单、财务报表", compact=True),
                hint="不复制文件, 在这些类别中也能看到",
            )
            yield FieldRow("paper_box", "纸质档案盒号", Input(id="f-paper_box", compact=True))
            yield FieldRow("paper_shelf", "纸质档案柜位", Input(id="f-paper_shelf", compact=True))
            yield Static("", id="form-message", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("保存修改 (Ctrl+S)", id="save", variant="primary")
                yield Button("另存副本 (Ctrl+O)", id="export")
                yield Button("关闭 (Esc)", id="close")

    def on_mount(self) -> None:
        self.query_one("#preview-box").focus()  # ↑↓ and PgUp/PgDn read the text at once
        self.load_document()
        self.load_preview()

    # --- loading -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="document-meta")
    def load_document(self) -> None:
        """The document as it is now (the listing shown may be older) and the standard's labels."""

        def read(archive: Archive):
            head = archive.head()
            current = next((d for d in archive.documents(self.customer_id, head) if d.name == self.document.name), None)
            return head, current, archive.schema(head)

        try:
            head, current, schema = self.app.read(read)
        except CusttuiError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._show_document, head, current, schema)

    def _show_document(self, head: str | None, current: Document | None, schema: Schema) -> None:
        if current is None:
            self.notify(f"资料「{self.document.name}」已不在档案中 (可能已被他人撤销)", severity="warning")
            self.dismiss(None)
            return
        self.base, self.document = head, current
        meta = current.meta
        self.query_one("#doc-meta", Static).update(self._metadata(meta, schema))
        self.shown = {
            "also_in": document_display(schema, "also_in", meta.get("also_in")),
            "paper_box": meta.get("paper_box", ""),
            "paper_shelf": meta.get("paper_shelf", ""),
        }
        for code, value in self.shown.items():
            self.query_one(f"#f-{code}", Input).value = value

    def _metadata(self, meta: dict, schema: Schema) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        kind = " · ".join(document_display(schema, k, meta.get(k)) for k in ("info_type", "doc_type") if meta.get(k))

        def shown(key: str, default: str = "") -> tuple[str, str]:
            return DOCUMENT_LABELS[key], document_display(schema, key, meta.get(key, default))

        rows = [
            ("类别", kind),
            *map(shown, ("title", "date", "stage")),
            (
                DOCUMENT_LABELS["sensitivity"],
                document_display(schema, "sensitivity", meta.get("sensitivity", "internal")),
            ),
            *map(shown, ("number", "project", "main")),
            ("大小", f"{meta['size']:,} 字节" if meta.get("size") else ""),
            shown("original_name"),
            shown("original_path"),
            ("归档", f"{meta.get('added_by', '')} {meta.get('added_at', '')}".strip()),
            ("校验和", meta.get("sha256", "")),
        ]
        for label, value in rows:
            if value:
                grid.add_row(label, Text(str(value)))
        return grid

    @work(thread=True, exclusive=True, group="document-preview")
    def load_preview(self) -> None:
        """The extracted text, from the cache the search index shares (extracted once per file)."""
        document, customer_id = self.document, self.customer_id
        try:
            self.app.read(lambda archive: view.open_document(archive, customer_id, document.name))
            cache = self.app.read(text_cache)
            extracted = cache.get(
                document.blob,
                document.name,
                lambda: self.app.read(lambda archive: archive.document_bytes(customer_id, document.name)),
            )
        except (CusttuiError, OSError) as exc:
            extracted = Extracted("", "none", f"无法读取: {exc}")
        self.app.call_from_thread(self._show_preview, extracted)

    def _show_preview(self, extracted: Extracted) -> None:
        text = extracted.text[:PREVIEW_CHARS]
        if len(extracted.text) > PREVIEW_CHARS:
            text += f"\n\n… (只显示前 {PREVIEW_CHARS:,} 个字符, 共 {len(extracted.text):,} 个; 另存副本可看全文)"
        if not text:
            text = f"(没有可显示的文字{': ' + extracted.note if extracted.note else ''})"
        self.query_one("#preview", Static).update(Text(text))

    # --- actions -------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"save": self.action_save, "export": self.action_export, "close": self.action_close}[event.button.id]()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_export(self) -> None:
        self.export()

    @work(thread=True, exclusive=True, group="document-export")
    def export(self) -> None:
        """A byte-for-byte copy in the export folder, never over an existing file."""
        name, customer_id = self.document.name, self.customer_id
        folder = self.app.config.export_dir
        try:
            target = self.app.read(lambda archive: view.export_document(archive, customer_id, name, folder))
        except (CusttuiError, OSError) as exc:
            self.app.call_from_thread(self.notify, f"未能另存到 {folder}: {exc}", severity="error", timeout=10)
            return
        self.app.call_from_thread(self.notify, f"已另存副本: {target}", title="另存副本")

    def action_save(self) -> None:
        typed = {code: self.query_one(f"#f-{code}", Input).value.strip() for code in EDITABLE}
        changes = {code: value for code, value in typed.items() if value != self.shown.get(code, "")}
        if not changes:
            self.notify("没有修改")
            return
        if "also_in" in changes:
            changes["also_in"] = changes["also_in"] or []
        for row in self.query(FieldRow):
            row.set_error(None)
        self.save(changes)

    @work(thread=True, exclusive=True, group="document-save")
    def save(self, changes: dict) -> None:
        """One commit through core; refused with the field and rule, or the other person's values."""
        customer_id, name, base = self.customer_id, self.document.name, self.base
        try:
            commit = self.app.read(lambda archive: archive.update_document(customer_id, name, changes, base=base))
        except CusttuiError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        if commit is None:
            self.app.call_from_thread(self.notify, "没有修改")
            return
        self.app.call_from_thread(self.notify, f"已保存: {name}", title="资料")
        self.app.call_from_thread(self.dismiss, customer_id)

    def _refused(self, error: CusttuiError) -> None:
        if isinstance(error, FieldError) and self.query(f"#row-{error.field}"):
            self.query_one(f"#row-{error.field}", FieldRow).set_error(error.rule)
        prefix = "他人已修改这份资料, 未保存: " if isinstance(error, ConflictError) else "未保存: "
        self.query_one("#form-message", Static).update(Text(prefix + str(error)))
