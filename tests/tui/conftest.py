"""TUI fixtures: the real app on a private copy of the demo archive, driven by Textual's Pilot."""

from __future__ import annotations

import io
from contextlib import asynccontextmanager

import pytest
from rich.console import Console
from textual.worker import WorkerCancelled

from custtui.tui.app import CusttuiApp
from custtui.tui.config import Config
from custtui.tui.screens.main import MainScreen

SIZE = (160, 45)


@pytest.fixture
def config(tmp_path) -> Config:
    """A private config file (so no test reads or writes the real user's settings)."""
    return Config(tmp_path / "config" / "config.toml", inbox=tmp_path / "inbox", export_dir=tmp_path / "export")


@pytest.fixture
def open_app(demo, config):
    """``async with open_app() as (app, pilot, main):`` the app on the demo copy, listing loaded."""

    @asynccontextmanager
    async def opened(user: str | None = "张伟", size: tuple[int, int] = SIZE):
        app = CusttuiApp(demo.store.path, user, config)
        async with app.run_test(size=size) as pilot:
            main = await wait_for_main(app, pilot)
            yield app, pilot, main

    return opened


async def wait_for_main(app: CusttuiApp, pilot) -> MainScreen:
    """The main screen once its listing and first customer have loaded."""
    for _ in range(100):
        await pilot.pause(0.05)
        if isinstance(app.screen, MainScreen) and app.screen.classification is not None:
            break
    await settle(app, pilot)
    assert isinstance(app.screen, MainScreen)
    return app.screen


async def settle(app: CusttuiApp, pilot) -> None:
    """Wait until every worker has finished and its messages are handled."""
    for _ in range(3):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one, awaited next round
            pass
        await pilot.pause(0.05)


async def from_palette(app: CusttuiApp, pilot, main: MainScreen, customer_id: str, command: str):
    """The screen the palette's ``command`` (its Chinese name, typed) opens on ``customer_id``."""
    main.open_customer(customer_id)
    await settle(app, pilot)
    await pilot.press("ctrl+p", *command)
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)
    return app.screen


def shown(static) -> str:
    """The text a Static shows (markup, Rich tables and all), as plain text."""
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(static.content)
    return console.export_text()
