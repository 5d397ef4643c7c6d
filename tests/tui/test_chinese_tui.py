"""Everything the app itself says is Chinese and whole: Textual's own words (the ctrl+c toast, the
palette, the theme list, the screenshot), toasts over the other panes, and the user's config file
(edited in place, comments kept; edited by hand while the app runs, applied)."""

from __future__ import annotations

import subprocess

import pytest
from textual.command import CommandPalette
from textual.widgets._toast import Toast

from custtui.tui.app import CusttuiApp
from custtui.tui.config import Config

from .conftest import SIZE, settle, wait_for_main


def toasts(app) -> list[str]:
    """Every notification so far, title and message."""
    return [f"{n.title} {n.message}" for n in app._notifications]


def toast_text(app) -> str:
    """The characters the terminal shows where the toast is, composed with what lies beneath
    as Textual sends it to the terminal."""
    region = app.screen.query_one(Toast).region
    lines = app.screen._compositor.render_strips()[region.y : region.bottom]
    return "".join(line.crop(region.x, region.right).text for line in lines)


def entries(app) -> list[str]:
    """What the open palette lists."""
    assert isinstance(app.screen, CommandPalette)
    listed = app.screen.query_one("CommandList")
    return [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]


async def palette_entries(app, pilot, text: str) -> list[str]:
    """Open the palette (ctrl+p), type ``text``: what it lists."""
    await pilot.press("ctrl+p")
    await settle(app, pilot)
    await pilot.press(*text)
    await pilot.pause(1.0)  # the palette says it found nothing only after half a second
    await settle(app, pilot)
    return entries(app)


async def test_ctrl_c_says_in_chinese_how_to_quit(open_app):
    async with open_app() as (app, pilot, main):
        await pilot.press("ctrl+c")
        await settle(app, pilot)
        said = toasts(app)[-1]
        assert "要退出吗" in said and "按 q" in said and "quit" not in said.lower()


@pytest.mark.indexed
async def test_colour_schemes_are_ours_by_chinese_name_and_remembered(open_app, config):
    async with open_app() as (app, pilot, main):
        found = await palette_entries(app, pilot, "配色")
        assert found and "切换配色" in found[0]
        await pilot.press("enter")
        await pilot.pause(0.5)
        await settle(app, pilot)
        shown = entries(app)
        assert any("256 色" in s for s in shown) and any("纯 ANSI" in s for s in shown)
        assert not any("textual" in s or "nord" in s for s in shown), "Textual's demo themes are not offered"
        await pilot.press(*"xqxq")
        await pilot.pause(1.0)
        listed = entries(app)
        assert len(listed) == 1 and "没有相符的结果" in listed[0], "Textual says No matches found"
        await pilot.press(*["backspace"] * 4, *"ANSI", "enter")
        await settle(app, pilot)
        assert app.theme == "custtui-ansi"
    assert Config.load(config.path).theme == "custtui-ansi"


@pytest.mark.indexed
async def test_a_screenshot_goes_to_the_export_folder_with_a_chinese_note(open_app, config):
    async with open_app() as (app, pilot, main):
        await palette_entries(app, pilot, "截图")
        await pilot.press("enter")
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert list(config.export_dir.glob("*.svg"))
        said = toasts(app)[-1]
        assert "已保存截图" in said and str(config.export_dir) in said and "Saved" not in said


async def test_toasts_keep_every_chinese_character_over_the_panes_below(demo, config):
    """A toast over a form: each edge of a label or a box under it used to cut a double-width
    character into two spaces (名称 shown as " 称")."""
    app = CusttuiApp(demo.store.path, "张伟", config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_main(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        words = "名称负责人合作阶段客户等级统一社会信用代码法定代表人注册资本联系人"
        for lead in ("", "x"):  # both parities: an edge falls inside a character in one of them
            app.clear_notifications()
            app.notify(lead + words, timeout=30)
            await pilot.pause(0.3)
            shown = toast_text(app)
            assert words in shown.replace(" ", "").replace("▌", ""), shown


async def test_changing_the_theme_keeps_the_users_comments_and_keys(demo, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '# 我的设置\ntree_order = ["行业", "规模"]  # 先按行业\ntheme = "custtui-256"  # 公司终端\n\n'
        '[keymap]\n# 习惯用 ctrl+f 搜索\n"main.search" = "ctrl+f"\n',
        "utf-8",
    )
    app = CusttuiApp(demo.store.path, "张伟", Config.load(path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_main(app, pilot)
        await pilot.press("ctrl+t")
        await settle(app, pilot)
    text = path.read_text("utf-8")
    assert 'theme = "custtui-ansi"  # 公司终端' in text
    kept = ("# 我的设置", 'tree_order = ["行业", "规模"]  # 先按行业', "# 习惯用 ctrl+f 搜索", '"main.search"')
    assert all(line in text for line in kept), text


async def test_a_hand_edit_of_the_config_applies_without_a_restart(open_app, config):
    from custtui.tui.screens.edit import CustomerForm

    async with open_app() as (app, pilot, main):
        said: list[str] = []  # every toast raised, kept (Textual forgets one after its timeout)
        notify = app.notify
        app.notify = lambda message, **options: (said.append(message), notify(message, **options))[1]
        config.path.parent.mkdir(parents=True, exist_ok=True)
        config.path.write_text('theme = "custtui-ansi"\n\n[keymap]\n"main.edit" = "f2"\n', "utf-8")
        for _ in range(60):
            await pilot.pause(0.1)
            if app.theme == "custtui-ansi":
                break
        assert app.theme == "custtui-ansi"
        assert any("新设置已生效" in message for message in said), said
        await pilot.press("f2")
        await settle(app, pilot)
        assert isinstance(app.screen, CustomerForm)


async def test_a_person_taken_from_gits_user_name_is_said(open_app, demo, monkeypatch, tmp_path):
    """On a shared server account git's user.name is the machine's: the interface says whose name it commits under."""
    monkeypatch.delenv("CUSTTUI_USER")
    monkeypatch.setenv("HOME", str(tmp_path))  # this test's own global git configuration
    subprocess.run(["git", "config", "--global", "user.name", "archive-svc"], check=True)
    async with open_app(user=None) as (app, pilot, main):
        said = [n.message for n in app._notifications if n.title == "操作人"]
        assert said and "git user.name「archive-svc」" in said[0] and "--user" in said[0]
        assert "archive-svc" in main.sub_title


async def test_the_header_icons_tooltip_is_chinese(open_app):
    from textual.widgets._header import HeaderIcon

    async with open_app() as (app, pilot, main):
        await pilot.pause()
        assert main.query_one(HeaderIcon).tooltip == "打开命令面板 (ctrl+p)"
