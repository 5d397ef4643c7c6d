"""Append-only facts: a communication record (沟通记录) and a transaction (交易记录)."""

from __future__ import annotations

from datetime import date, datetime

from ...core.archive.archive import Archive
from ...core.records.records import Validator
from ..widgets.form import Choice, FieldRow, FormScreen, TextBox, TextInput


class FactForm(FormScreen):
    """One fact for one customer; the validator of the fact names the field that broke a rule."""

    def __init__(self, archive: Archive, customer_id: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.schema = archive.schema()
        self.validator = Validator(self.schema)
        self.heading = self.heading.format(id=customer_id, name=archive.customer(customer_id).get("name", ""))


class NoteForm(FactForm):
    heading = "沟通记录: {id} {name}"

    def rows(self) -> list[FieldRow]:
        channels = [(v.label, v.code) for v in self.schema.dimension("channel").values]
        return [
            FieldRow(
                "time",
                "沟通时间",
                TextInput(f"{datetime.now():%Y-%m-%d %H:%M}", id="f-time", compact=True),
                required=True,
                check=lambda text: self.validator.note({"time": text, "channel": "other", "content": "-"}),
            ),
            FieldRow(
                "channel", "沟通方式", Choice(channels, id="f-channel", prompt="请选择", compact=True), required=True
            ),
            FieldRow(
                "participants", "参与人", TextInput(id="f-participants", placeholder="多个用 、分隔", compact=True)
            ),
            FieldRow("content", "沟通内容", TextBox(id="f-content", classes="multiline", compact=True), required=True),
            FieldRow("needs", "客户需求", TextBox(id="f-needs", classes="multiline", compact=True)),
            FieldRow("feedback", "客户反馈", TextBox(id="f-feedback", classes="multiline", compact=True)),
            FieldRow(
                "next_date",
                "下次跟进日期",
                TextInput(id="f-next-date", placeholder="如 2026-12-05 (可不填)", compact=True),
                check=lambda text: self.validator.follow_up({"date": text, "action": "-"}),
            ),
            FieldRow(
                "next_action", "下次跟进事项", TextInput(id="f-next-action", placeholder="如 回访报价", compact=True)
            ),
        ]

    def problems(self) -> list[tuple[str, str]]:
        """A next step needs both its date and its action."""
        given = self.values()
        for code, other, label in (("next_date", "next_action", "日期"), ("next_action", "next_date", "事项")):
            if given.get(other) and not given.get(code):
                return [(code, f"设定下次跟进需要同时填写{label}")]
        return []

    def save(self) -> None:
        data = {k: v for k, v in self.values().items() if v}
        when, action = data.pop("next_date", None), data.pop("next_action", None)
        step = {"date": when, "action": action} if when and action else None
        cid = self.customer_id
        self.commit(lambda archive: archive.add_note(cid, data, follow_up=step) and cid)


class DealForm(FactForm):
    heading = "交易记录: {id} {name}"

    def rows(self) -> list[FieldRow]:
        return [
            FieldRow(
                "date",
                "交易日期",
                TextInput(f"{date.today()}", id="f-date", compact=True),
                required=True,
                check=lambda text: self.validator.deal({"date": text, "amount": 0, "product": "-"}),
            ),
            FieldRow(
                "amount",
                "交易金额",
                TextInput(id="f-amount", placeholder="如 125000 或 12.5万", compact=True),
                required=True,
                check=lambda text: self.validator.deal({"amount": text, "product": "-"}),
            ),
            FieldRow("product", "产品/服务", TextInput(id="f-product", compact=True), required=True),
            FieldRow("contract", "合同编号", TextInput(id="f-contract", placeholder="如 HT-2024-015", compact=True)),
        ]

    def save(self) -> None:
        data = {k: v for k, v in self.values().items() if v}
        cid = self.customer_id
        self.commit(lambda archive: archive.add_deal(cid, data) and cid)
