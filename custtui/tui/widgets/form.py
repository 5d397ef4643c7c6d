"""Form building blocks: a labelled field row with its own Chinese error line, and a dialog base
that validates as the user types, saves with one commit in a worker, and reports field errors
where the field is."""

from __future__ import annotations

from typing import Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from ...core.archive.archive import Archive
from ...core.base.errors import ConflictError, CusttuiError, FieldError
from ..screens.confirm import ConfirmScreen

Check = Callable[[str], object]


class FieldRow(Horizontal):
    """One field: label, editor, and the rule it broke (if any) right under the editor.

    The error line is mounted only when there is an error: a form has a few dozen rows and every
    widget costs milliseconds to mount."""

    def __init__(
        self,
        code: str,
        label: str,
        editor: Widget,
        *,
        required: bool = False,
        check: Check | None = None,
        hint: str = "",
        first_focus: bool = True,
    ) -> None:
        super().__init__(classes="field-row", id=f"row-{code.replace('.', '-')}")
        if isinstance(editor, Input):
            editor.select_on_focus = False  # a key typed into a filled field adds to it, never replaces it
        self.code, self.label_text, self.editor, self.check = code, label, editor, check
        self.required, self.hint = required, hint
        self.first_focus = first_focus  # False: a companion asked for only sometimes (a change's reason)

    def compose(self) -> ComposeResult:
        yield Label(self.label_text + (" *" if self.required else ""), classes="field-label")
        with Vertical(classes="field-editor"):
            yield self.editor
            if self.hint:
                yield Static(self.hint, classes="hint field-hint")

    @property
    def value(self) -> str:
        editor = self.editor
        if isinstance(editor, Input):
            return editor.value.strip()
        if isinstance(editor, TextArea):
            return editor.text.strip()
        if isinstance(editor, Select):
            return "" if editor.value is Select.NULL else str(editor.value)
        raise TypeError(type(editor))

    @property
    def error(self) -> str:
        shown = self.query(".field-error")
        return str(shown.first(Static).content) if shown else ""

    def set_error(self, message: str | None) -> None:
        shown = self.query(".field-error")
        if message and not shown:
            self.query_one(".field-editor").mount(Static(message, classes="field-error", markup=False))
        elif shown:
            shown.first(Static).update(message or "")
        self.set_class(bool(message), "has-error")

    def validate(self) -> bool:
        """Check the current value with the field's rule; show and return whether it passed."""
        if self.check is None or not self.value:
            self.set_error(None)
            return True
        try:
            self.check(self.value)
        except FieldError as exc:
            self.set_error(exc.rule)
            return False
        self.set_error(None)
        return True


class FormScreen(Screen[str | None]):
    """A dialog of FieldRows. Subclasses give the rows and the commit; dismisses with the customer
    whose record changed, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "保存", id="form.save"),
        Binding("escape", "cancel", "取消", id="form.cancel"),
    ]
    DEFAULT_CLASSES = "dialog"
    heading = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static(self.heading, classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                yield from self.rows()
            yield Static("", id="form-message", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("保存 (Ctrl+S)", id="save", variant="primary")
                yield Button("取消 (Esc)", id="cancel")

    def rows(self) -> list[FieldRow]:
        raise NotImplementedError

    def on_mount(self) -> None:
        """Typing starts in the form: the first empty field has the focus (the first field when
        every one is filled), so the first key typed is never lost."""
        rows = [row for row in self.query(FieldRow) if row.first_focus and row.editor.focusable]
        target = next((row for row in rows if not row.value), rows[0] if rows else None)
        if target is not None:
            target.editor.focus()
        self.opened_with = self.values()

    def values(self) -> dict[str, str]:
        return {row.code: row.value for row in self.query(FieldRow)}

    def row(self, code: str) -> FieldRow | None:
        return next((r for r in self.query(FieldRow) if r.code == code), None)

    # --- feedback ------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        self._recheck(event.input)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._recheck(event.select)

    def _recheck(self, editor: Widget) -> None:
        row = next((a for a in editor.ancestors if isinstance(a, FieldRow)), None)
        if row is not None:
            row.validate()

    def show_error(self, error: CusttuiError) -> None:
        """A field's rule under that field (focused); anything else in the dialog's message line."""
        row = self.row(error.field) if isinstance(error, FieldError) else None
        if row is None and isinstance(error, FieldError):
            row = self.row(error.field.split(".")[0])
        if row is not None:
            row.set_error(error.rule if row.code == error.field else str(error))
            row.editor.focus()
            self.query_one("#form-message", Static).update(f"请修改「{error.label}」后再保存")
        else:
            self.query_one("#form-message", Static).update(str(error))

    # --- saving --------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        """Close the form; what was typed since it opened is thrown away only when the person
        says so."""
        edited = [row.label_text for row in self.query(FieldRow) if row.value != self.opened_with.get(row.code, "")]
        if not edited:
            self.dismiss(None)
            return
        question = ConfirmScreen(
            "放弃未保存的修改?", [f"已修改: {'、'.join(edited)}", "选择取消可继续编辑"], yes="放弃"
        )
        self.app.push_screen(question, lambda discard: self.dismiss(None) if discard else None)

    def action_save(self) -> None:
        if all([row.validate() for row in self.query(FieldRow)]):
            self.save()
        else:
            self.query_one("#form-message", Static).update("有字段不符合要求, 请按提示修改")

    def save(self) -> None:
        raise NotImplementedError

    @work(thread=True, exclusive=True, group="form-commit")
    def commit(self, change: Callable[[Archive], str | None]) -> None:
        """Run ``change`` (one core write returning the customer ID) and close, or show why not."""
        try:
            customer_id = self.app.read(change)
        except ConflictError as exc:
            self.app.call_from_thread(self.on_conflict, exc)
        except CusttuiError as exc:
            self.app.call_from_thread(self.show_error, exc)
        else:
            self.app.call_from_thread(self.dismiss, customer_id)

    def on_conflict(self, error: ConflictError) -> None:
        self.show_error(error)
