"""A footer that is never cut: the keys that do not fit the width are left out, last first, and the
key of the help (which lists every key) always stays."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ACTION = "help"
COMPACT_BELOW = 120  # narrower terminals get the footer without padding around each key
PALETTE = object()  # marks the command palette's key in a plan


class FittedFooter(Footer):
    """Shows the screen's keys that fit, in the order Textual gives them (the focused widget's
    first), always with ``? 帮助`` and the command palette's key."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.fitted_width = 0
        self.shown_plan: tuple = ()

    def on_resize(self, event: Resize) -> None:
        compact = event.size.width < COMPACT_BELOW
        if event.size.width != self.fitted_width or compact != self.compact:
            self.fitted_width = event.size.width
            self.compact = compact
            self.call_after_refresh(self.recompose)

    def _key_width(self, key_display: str, description: str) -> int:
        if self.compact:  # "k desc" and a margin of one
            return cell_len(key_display) + 1 + cell_len(description) + 1
        return cell_len(key_display) + 2 + cell_len(description) + 1  # " k " "desc "

    def _plan(self) -> tuple:
        """The keys to show, the palette's last: (binding, enabled, tooltip) each."""
        if not self._bindings_ready:
            return ()
        active = self.screen.active_bindings
        keys, seen = [], set()
        for _, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in seen:
                seen.add(binding.action)
                keys.append((binding, enabled, tooltip))
        room = self.size.width or self.app.size.width
        palette = active.get(self.app.COMMAND_PALETTE_BINDING) if self.show_command_palette else None
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            _, binding, _, _ = palette
            room -= cell_len(self.app.get_key_display(binding)) + cell_len(binding.description) + 3
        help_key = next((k for k in keys if k[0].action.endswith(HELP_ACTION)), None)
        if help_key is not None:
            room -= self._key_width(self.app.get_key_display(help_key[0]), help_key[0].description)
        shown = []
        for key in keys:
            if key == help_key:
                continue
            width = self._key_width(self.app.get_key_display(key[0]), key[0].description)
            if width > room:
                break
            room -= width
            shown.append(key)
        if help_key is not None:
            shown.append(help_key)
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            _, binding, enabled, _ = palette
            shown.append((binding, enabled, PALETTE))
        return (self.compact, *shown)

    async def recompose(self) -> None:
        """Redraw only when the keys to show changed: Textual asks after every change of focus
        or bindings (17 times while the main screen opened, ~10 ms each). A request that comes
        after the footer left its screen (a screen closed meanwhile) has nothing to redraw."""
        if self.is_attached and self._plan() != self.shown_plan:
            await super().recompose()

    def compose(self) -> ComposeResult:
        self.shown_plan = self._plan()
        for binding, enabled, tooltip in self.shown_plan[1:]:
            if tooltip is PALETTE:
                yield FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    classes="-command-palette",
                    disabled=not enabled,
                    tooltip=binding.tooltip or binding.description,
                )
            else:
                yield self._key(binding, enabled, tooltip)

    def _key(self, binding, enabled: bool, tooltip: str) -> FooterKey:
        return FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            disabled=not enabled,
            tooltip=tooltip,
        ).data_bind(compact=Footer.compact)
