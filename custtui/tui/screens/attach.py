"""Filing a document: pick a file from the inbox (or type a path), check the proposal, save."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Checkbox, Input, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.widgets.select import InvalidSelectValueError
from textual.worker import get_current_worker

from ...core.base.errors import CusttuiError, FieldError, NotFound
from ...core.records.schema import Schema
from ...core.tasks.intake import (
    FILED_FOLDER,
    Proposal,
    check_source,
    extract_file,
    file_document,
    inbox_files,
    propose,
    text_cache,
)
from ..widgets.form import FieldRow

TEXT_FIELDS = ("date", "title", "number", "project", "also_in", "paper_box", "paper_shelf")
SELECT_FIELDS = ("info_type", "doc_type", "sensitivity", "main")


class AttachScreen(ModalScreen[str | None]):
    """Dismisses with the customer whose documents changed, or None."""

    CSS_PATH = "attach.tcss"
    DEFAULT_CLASSES = "dialog"
    BINDINGS = [
        Binding("ctrl+s", "save", "保存", id="attach.save"),
        Binding("escape", "cancel", "取消", id="attach.cancel"),
    ]

    def __init__(self, customer_id: str | None) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.schema: Schema | None = None
        self.main_names: list[str] = []
        self.checks = 0  # numbers the form checks, so a late answer to an old one is dropped

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static("归档资料", classes="dialog-title")
            yield Static("正在读取收件箱…", id="inbox-note", classes="hint")
            yield OptionList(id="inbox-files")
            with VerticalScroll(id="attach-fields"):
                yield FieldRow(
                    "file", "文件", Input(id="f-file", placeholder="收件箱以外的文件: 输入路径后回车", compact=True)
                )
                yield Static("", id="proposal-note", classes="hint")
                yield FieldRow(
                    "customer",
                    "客户编号",
                    Input(id="f-customer", placeholder="如 BJ-000001", compact=True),
                    required=True,
                )
                yield FieldRow("info_type", "信息类型", Select([], id="f-info_type", prompt="按资料类型", compact=True))
                yield FieldRow(
                    "doc_type", "资料类型", Select([], id="f-doc_type", prompt="请选择", compact=True), required=True
                )
                yield FieldRow("date", "资料日期", Input(id="f-date", placeholder="如 2024-01-05", compact=True))
                yield FieldRow("title", "标题", Input(id="f-title", placeholder="默认为资料类型", compact=True))
                yield FieldRow("number", "合同编号", Input(id="f-number", placeholder="如 HT-2024-015", compact=True))
                yield FieldRow("project", "合作项目", Input(id="f-project", compact=True))
                yield FieldRow(
                    "sensitivity", "敏感等级", Select([], id="f-sensitivity", prompt="按资料类型默认", compact=True)
                )
                yield FieldRow(
                    "main",
                    "主文件",
                    Select([], id="f-main", prompt="(不是附件)", compact=True),
                    hint="作为该客户某份资料的附件归档",
                )
                yield FieldRow(
                    "also_in",
                    "同时归入",
                    Input(id="f-also_in", placeholder="如 投诉处理单、财务报表", compact=True),
                    hint="只存一份原件, 在这些类别中也能看到",
                )
                yield FieldRow("paper_box", "纸质档案盒号", Input(id="f-paper_box", compact=True))
                yield FieldRow("paper_shelf", "纸质档案柜位", Input(id="f-paper_shelf", compact=True))
            yield Static("", id="planned-name")
            yield Static("", id="duplicate", classes="field-error")
            yield Checkbox("仍然归档 (允许重复)", id="allow-duplicate")
            yield Static("", id="form-message", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("保存 (Ctrl+S)", id="save", variant="primary")
                yield Button("取消 (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#allow-duplicate").display = False
        self.query_one("#f-customer", Input).value = self.customer_id or ""
        self.load_start()

    # --- loading -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="attach-start")
    def load_start(self) -> None:
        """The standard's choices, the customers for completion, and the inbox's files."""
        schema, customers = self.app.read(lambda archive: (archive.schema(), archive.customers()))
        suggestions = [f"{cid} {summary.get('name') or ''}" for cid, summary in customers.items()]
        inbox: Path | None = self.app.config.inbox
        files, problem = [], None
        if inbox is not None and not inbox.is_dir():
            problem = f"收件箱 {inbox} 不存在 (配置文件 {self.app.config.path} 的 inbox); 请在下方输入文件路径"
        elif inbox is not None:
            try:
                files = inbox_files(inbox)
            except OSError as exc:
                problem = f"收件箱 {inbox} 无法读取: {exc}; 请在下方输入文件路径"
        self.app.call_from_thread(self._show_start, schema, suggestions, files, problem)

    def _show_start(self, schema: Schema, suggestions: list[str], files: list[Path], problem: str | None) -> None:
        self.schema = schema
        self.query_one("#f-customer", Input).suggester = SuggestFromList(suggestions, case_sensitive=False)
        self.query_one("#f-info_type", Select).set_options((i.label, i.code) for i in schema.info_types.values())
        self.query_one("#f-doc_type", Select).set_options(
            (f"{schema.info_types[d.info_type].label} · {d.label}", d.code) for d in schema.doc_types.values()
        )
        self.query_one("#f-sensitivity", Select).set_options(
            (v.label, v.code) for v in schema.dimension("sensitivity").values
        )
        inbox = self.app.config.inbox
        listing = self.query_one("#inbox-files", OptionList)
        listing.add_options(Option(path.name, id=str(path)) for path in files)
        listing.display = bool(files)
        if files:
            listing.highlighted = 0  # Enter reads the newest file at once
        if problem:
            note = problem
        elif inbox is None:
            note = (
                f'未设置收件箱 (扫描仪或共享盘的投放文件夹, 在 {self.app.config.path} 中写 inbox = "文件夹", '
                "保存后重新打开本对话框即可); 请在下方输入文件路径"
            )
        elif not files:
            note = f"收件箱 {inbox} 中没有待归档的文件; 也可在下方输入文件路径"
        else:
            note = f"收件箱 {inbox}: {len(files)} 个文件, 选中后回车读取; 也可在下方输入文件路径"
        self.query_one("#inbox-note", Static).update(Text(note))
        (listing if files else self.query_one("#f-file", Input)).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#f-file", Input).value = event.option.id or ""
        self.load_proposal(Path(event.option.id or ""))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "f-file" and event.value.strip():
            self.load_proposal(Path(event.value.strip()).expanduser())

    @work(thread=True, exclusive=True, group="attach-propose")
    def load_proposal(self, path: Path) -> None:
        """Read the file's text (outside the archive lock: OCR may take a while), then propose."""
        self.app.call_from_thread(self._row("file").set_error, None)
        self.app.call_from_thread(self.query_one("#proposal-note", Static).update, "正在读取文件…")
        try:
            check_source(path, self.app.config.inbox, self.app.confined)
            extracted = extract_file(path, self.app.read(text_cache))
            proposal = self.app.read(lambda archive: propose(archive, path, extracted))
        except (CusttuiError, OSError) as exc:
            self.app.call_from_thread(self._file_problem, exc)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_proposal, proposal)

    def _file_problem(self, error: Exception) -> None:
        self.query_one("#proposal-note", Static).update("")
        if isinstance(error, FieldError):
            self._row("file").set_error(error.rule)
        else:  # an OSError not caught as a FieldError: name the file, not Python's [Errno …]
            self._row("file").set_error(f"{getattr(error, 'filename', None) or '文件'} 无法读取")

    def _show_proposal(self, proposal: Proposal) -> None:
        meta = proposal.meta()
        self.query_one("#f-customer", Input).value = proposal.customer_id or self.customer_id or ""
        for code in TEXT_FIELDS:
            self.query_one(f"#f-{code}", Input).value = str(meta.get(code, ""))
        for code in ("info_type", "doc_type"):
            self._select(code, meta.get(code, ""))
        self.main_names = [meta["main"]] if meta.get("main") else []
        self.query_one("#f-main", Select).set_options((name, name) for name in self.main_names)
        self._select("main", meta.get("main", ""))
        self.query_one("#proposal-note", Static).update(self._describe(proposal))
        duplicate = proposal.duplicate_of
        self.query_one("#duplicate", Static).update(
            f"重复: 内容与 {duplicate[0]} 已归档的「{duplicate[1]}」完全相同 (校验和一致); 确需再归档请勾选下方"
            if duplicate
            else ""
        )
        checkbox = self.query_one("#allow-duplicate", Checkbox)
        checkbox.value, checkbox.display = False, duplicate is not None
        self.recheck()

    @staticmethod
    def _describe(proposal: Proposal) -> Text:
        lines = []
        for candidate in proposal.customers[:3]:
            lines.append(f"建议客户 {candidate.customer_id} {candidate.name}: {'; '.join(candidate.reasons)}")
        if not proposal.customers:
            lines.append("未从文件名和文字中认出客户, 请填写客户编号")
        if proposal.text.note:
            lines.append(f"文字提取: {proposal.text.note}")
        return Text("\n".join(lines))

    # --- checking as the user edits -----------------------------------------------------

    def _row(self, code: str) -> FieldRow:
        return self.query_one(f"#row-{code}", FieldRow)

    def _select(self, code: str, value: str) -> None:
        select = self.query_one(f"#f-{code}", Select)
        try:
            select.value = value or Select.NULL
        except InvalidSelectValueError:
            select.clear()

    def _form(self) -> tuple[str, dict[str, Any], str]:
        """(customer ID, metadata, file path) as the form stands."""
        typed = self.query_one("#f-customer", Input).value.split()
        meta = {code: self.query_one(f"#f-{code}", Input).value.strip() for code in TEXT_FIELDS}
        meta |= {code: self._row(code).value for code in SELECT_FIELDS}
        return (
            typed[0] if typed else "",
            {k: v for k, v in meta.items() if v},
            self.query_one("#f-file", Input).value.strip(),
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "f-file":
            self.recheck()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "f-doc_type" and event.value is not Select.NULL and self.doc_info_mismatch():
            self.query_one("#f-info_type", Select).clear()
        self.recheck()

    def doc_info_mismatch(self) -> bool:
        """Whether the chosen information type no longer fits the chosen document type."""
        doc_type, info_type = (self._row(code).value for code in ("doc_type", "info_type"))
        return bool(self.schema and info_type and doc_type and self.schema.doc_types[doc_type].info_type != info_type)

    def recheck(self) -> None:
        self.checks += 1
        self.check_form(self.checks, *self._form())

    @work(thread=True, group="attach-check")
    def check_form(self, number: int, customer_id: str, meta: dict[str, Any], file: str) -> None:
        """The rules of every field and the name the file would get; only the latest check is
        shown (not exclusive: a check per keystroke is cheap, cancelling them is noise)."""
        names, planned, error = None, None, None
        try:
            if customer_id:
                names = self.app.read(lambda archive: [d.name for d in archive.documents(customer_id)])
                planned = self.app.read(lambda archive: archive.planned_name(customer_id, meta, file or "资料"))
        except NotFound as exc:
            error = FieldError("customer", "客户编号", str(exc))
        except CusttuiError as exc:
            error = exc
        self.app.call_from_thread(self._show_check, number, names, planned, error)

    def _show_check(
        self, number: int, names: list[str] | None, planned: str | None, error: CusttuiError | None
    ) -> None:
        if number != self.checks or not self.is_attached:
            return
        file_chosen = bool(self.query_one("#f-file", Input).value.strip())
        if not file_chosen and not (isinstance(error, FieldError) and error.field == "customer"):
            error = None  # nothing to file yet: its type and date are not missing, only not asked for
        for row in self.query(FieldRow):
            if row.code != "file":
                row.set_error(None)
        if names is not None and names != self.main_names:
            current = self._row("main").value
            self.main_names = names
            self.query_one("#f-main", Select).set_options((name, name) for name in names)
            self._select("main", current)
        if isinstance(error, FieldError) and self.query(f"#row-{error.field}"):
            self._row(error.field).set_error(error.rule)
        elif error is not None:
            self.query_one("#form-message", Static).update(Text(str(error)))
        if error is None:
            self.query_one("#form-message", Static).update("")
        shown = f"将存为: {planned}" if planned and file_chosen else ""
        self.query_one("#planned-name", Static).update(Text(shown))

    # --- saving --------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        customer_id, meta, file = self._form()
        if not file:
            self._row("file").set_error("请先在收件箱中选择文件, 或输入文件路径")
            return
        if not customer_id:
            self._row("customer").set_error("请填写客户编号")
            return
        self.save(customer_id, meta, Path(file).expanduser(), self.query_one("#allow-duplicate", Checkbox).value)

    @work(thread=True, exclusive=True, group="attach-save")
    def save(self, customer_id: str, meta: dict[str, Any], path: Path, allow_duplicate: bool) -> None:
        """One commit through core; an inbox file then moves to 已归档/."""
        inbox = self.app.config.inbox
        try:
            check_source(path, inbox, self.app.confined)
            filing = self.app.read(
                lambda archive: file_document(
                    archive, customer_id, path, meta, allow_duplicate=allow_duplicate, inbox=inbox
                )
            )
        except CusttuiError as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        message = f"已归档到 {customer_id}: {filing.name}"
        if filing.moved_to is not None:
            message += f"; 收件箱中的原文件已移到 {FILED_FOLDER}/, 不会重复归档"
        self.app.call_from_thread(self.notify, message, title="归档")
        if filing.move_problem:
            self.app.call_from_thread(self.notify, filing.move_problem, severity="warning", timeout=15)
        self.app.call_from_thread(self.dismiss, customer_id)

    def _refused(self, error: CusttuiError) -> None:
        field = error.field if isinstance(error, FieldError) else None
        if field and self.query(f"#row-{field}"):
            self._row(field).set_error(error.rule)
        self.query_one("#form-message", Static).update(Text(f"未归档: {error}"))
        self.notify(f"未归档: {error}", severity="error", timeout=10, markup=False)
