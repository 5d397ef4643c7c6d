"""Form building blocks: a labelled field row with its own Chinese error line, the editors that
take every key in the order it was typed, and a dialog base that validates as the user types,
reports every field error at once where the field is, and saves with one commit in a worker."""

from __future__ import annotations

from typing import Callable

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from ...core.archive.archive import Archive
from ...core.base.errors import ConflictError, CusttuiError, FieldError
from ..screens.confirm import ConfirmScreen

Check = Callable[[str], object]
REQUIRED = "必须填写"


class InOrder:
    """An editor of a form that takes its keys from the form, one at a time, in the order typed.

    Textual hands a key to the focused widget; a printable key is acted on there, but a bound key
    (ctrl+u, backspace, tab, ctrl+s) travels up to the app before its binding runs, so the keys
    typed right after it overtake it: ctrl+u then 赵1 in one read of the terminal left the field
    empty. Here the form queues every key (``FormScreen.queue_key``) and each is acted on fully —
    the editor's own handling, then the bindings from the focused widget up — before the next.
    """

    def _forward_event(self, event: events.Event) -> None:
        screen = self.screen  # type: ignore[attr-defined]  # a mixin of widgets
        if isinstance(event, events.Key) and isinstance(screen, FormScreen):
            screen.queue_key(event)
        else:
            super()._forward_event(event)  # type: ignore[misc]

    async def take_key(self, event: events.Key) -> None:
        """Act on ``event`` now: as text (or the editor's own key), else by its binding."""
        await super()._on_key(event)  # type: ignore[misc]  # Input / TextArea / Select's handling
        if not event._stop_propagation:
            await self.app._check_bindings(event.key)  # type: ignore[attr-defined]  # the app's own next step


class TextInput(InOrder, Input):
    """A one-line field of a form."""


class TextBox(InOrder, TextArea):
    """A multi-line field of a form."""


class Choice(InOrder, Select):
    """A pick-one field of a form."""


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

    def validate(self, saving: bool = False) -> bool:
        """Check the current value with the field's rule, and that a required field is filled
        (when ``saving``, or while its 必须填写 is shown); show and return whether it passed."""
        if self.editor.disabled:  # shown masked, not edited here
            return True
        if not self.value:
            missing = self.required and (saving or self.error == REQUIRED)
            self.set_error(REQUIRED if missing else None)
            return not missing
        if self.check is not None:
            try:
                self.check(self.value)
            except FieldError as exc:
                self.set_error(exc.rule)
                return False
        self.set_error(None)
        return True


class FormScreen(Screen[str | None]):
    """A dialog of FieldRows. Subclasses give the rows and the commit; dismisses with the customer
    whose record changed, or None when cancelled. The fields scroll; the title, the message line
    and the 保存/取消 buttons stay in view at any terminal size."""

    BINDINGS = [
        Binding("ctrl+s", "save", "保存", id="form.save"),
        Binding("escape", "cancel", "取消", id="form.cancel"),
        Binding("q", "ignore", show=False, id="form.q"),  # a letter in a form, never the app's 退出
    ]
    DEFAULT_CLASSES = "dialog"
    SCOPED_CSS = False
    CSS = """
    FormScreen.dialog > #dialog-body { height: 100%; max-height: 100%; padding: 0 2; }
    FormScreen #form-fields { height: 1fr; }
    FormScreen .field-label { width: 20; }
    """
    heading = ""

    class Typed(Message, bubble=False):
        """A key for the form's editors, in the order the terminal sent it."""

        def __init__(self, key: events.Key) -> None:
            super().__init__()
            self.key = key

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static(self.heading, classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                yield from self.rows()
            yield Static("", id="form-message", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("保存 (Ctrl+S)", id="save", variant="primary", compact=True)
                yield Button("取消 (Esc)", id="cancel", compact=True)

    def rows(self) -> list[FieldRow]:
        raise NotImplementedError

    def on_mount(self) -> None:
        """Typing starts in the form: the first empty field has the focus (the first field when
        every one is filled), given at once so that keys typed while the form opened land there."""
        rows = [row for row in self.query(FieldRow) if row.first_focus and row.editor.focusable]
        target = next((row for row in rows if not row.value), rows[0] if rows else None)
        if target is not None:
            self.set_focus(target.editor)
        self.opened_with = self.values()

    def values(self) -> dict[str, str]:
        return {row.code: row.value for row in self.query(FieldRow)}

    def row(self, code: str) -> FieldRow | None:
        return next((r for r in self.query(FieldRow) if r.code == code), None)

    def action_ignore(self) -> None:
        """A key that means nothing here."""

    # --- keys, in order ------------------------------------------------------------------

    def _forward_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):  # nothing focused yet: the form is still opening
            self.queue_key(event)
        else:
            super()._forward_event(event)

    def queue_key(self, key: events.Key) -> None:
        """Take ``key`` after the keys before it (called by the app's forwarding, in typing order)."""
        self.post_message(self.Typed(key))

    async def on_form_screen_typed(self, message: Typed) -> None:
        key = message.key
        if self.app.screen is not self:  # an earlier key opened a dialog over the form: it is the dialog's
            (self.app.focused or self.app.screen)._forward_event(key)
        elif isinstance(self.focused, InOrder):
            await self.focused.take_key(key)
        elif self.focused is not None:  # a button, an open list of choices: as Textual hands it over
            self.focused._forward_event(key)
        else:
            await self.app._check_bindings(key.key)

    # --- feedback ------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        self._recheck(event.input)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._recheck(event.select)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._recheck(event.text_area)

    def _recheck(self, editor: Widget) -> None:
        row = next((a for a in editor.ancestors if isinstance(a, FieldRow)), None)
        if row is not None:
            row.validate()
            self.rechecked(row)

    def rechecked(self, row: FieldRow) -> None:
        """``row`` changed and was checked: a subclass may look further (a duplicate number)."""

    def problems(self) -> list[tuple[str, str]]:
        """(field, message) the form finds beyond each field's own rule, checked when saving."""
        return []

    def point_at(self, rows: list[FieldRow]) -> None:
        """Name every field to correct in the message line and put the cursor in the first."""
        labels = "、".join(f"「{row.label_text}」" for row in rows)
        self.query_one("#form-message", Static).update(f"请修改以下 {len(rows)} 项后再保存: {labels}")
        self.set_focus(rows[0].editor)

    def show_error(self, error: CusttuiError) -> None:
        """A field's rule under that field (focused); anything else in the dialog's message line."""
        row = self.row(error.field) if isinstance(error, FieldError) else None
        if row is None and isinstance(error, FieldError):
            row = self.row(error.field.split(".")[0])
        if row is not None:
            row.set_error(error.rule if row.code == error.field else str(error))
            self.point_at([row])
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
        self.app.push_screen(question, self._discard)

    def _discard(self, discard: bool | None) -> None:
        if discard:
            self.dismiss(None)  # not awaited: this runs in the form's own message handler

    def action_save(self) -> None:
        """Check every field at once: save when all pass, otherwise show each field's message
        under it, name them all, and put the cursor in the first."""
        rows = list(self.query(FieldRow))
        for row in rows:
            row.validate(saving=True)
        for code, message in self.problems():
            found = self.row(code)
            if found is not None:
                found.set_error(message)
        invalid = [row for row in rows if row.error]
        if invalid:
            self.point_at(invalid)
        else:
            self.query_one("#form-message", Static).update("")
            self.save()

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
