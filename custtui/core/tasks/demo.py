"""The demo archive: ``sample-archive/`` replayed as a believable history.

Each customer is created by its owner on its first-contact date, moves through its recorded
stage changes, and gains its notes, deals and documents at the times they carry, each as its
own commit by the person who made it. The final tree equals ``sample-archive/`` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Callable

from ..archive.archive import Archive
from ..base.bundled import SAMPLE_SOURCE, bundled_dir
from ..base.layout import (
    ARCHIVE_FILE,
    CUSTOMER_FILE,
    CUSTOMERS_DIR,
    DEALS_DIR,
    DOCS_DIR,
    META_SUFFIX,
    NOTES_DIR,
    OFFICES_DIR,
    TOML_SUFFIX,
    document_file,
    office_file,
)
from ..records.records import Validator, dumps, loads
from ..records.schema import Schema, default_schema_dir
from ..store.repo import Changes, Identity

BEIJING = timezone(timedelta(hours=8))
ADMIN = "系统管理员"


def sample_dir() -> Path:
    """The sample archive the demo replays."""
    return bundled_dir(SAMPLE_SOURCE, "示例档案")


@dataclass
class Event:
    when: datetime
    author: str
    changes: Changes
    verb: str
    customer: str | None
    name: str | None
    detail: str
    action: str
    fields: tuple[str, ...] = ()


def _at(day: date | datetime, hour: int) -> datetime:
    moment = day if isinstance(day, datetime) else datetime.combine(day, time(hour, 0))
    return moment.replace(tzinfo=BEIJING)


def _customer_events(schema: Schema, folder: Path, root: Path) -> list[Event]:
    rel = folder.relative_to(root).as_posix()
    raw = (folder / CUSTOMER_FILE).read_bytes()
    record = loads(raw, f"{rel}/{CUSTOMER_FILE}")
    cid, name, order = record["id"], record["name"], Validator(schema).field_order()
    history = record.get("stage_history", [])
    initial = {k: v for k, v in record.items() if k != "stage_history"}
    initial["stage"] = history[0]["from"] if history else record["stage"]
    created = _at(record["first_contact"], 9)
    events = [
        Event(
            created,
            record["owner"],
            {f"{rel}/{CUSTOMER_FILE}": raw if not history else dumps(initial, order)},
            "新建",
            cid,
            name,
            schema.label("customer_type", record["type"]),
            "create",
            tuple(k for k in record if k != "id"),
        )
    ]
    for i, step in enumerate(history):
        state = {**initial, "stage": step["to"], "stage_history": history[: i + 1]}
        content = raw if i == len(history) - 1 else dumps(state, order)
        detail = f"合作阶段 {schema.label('stage', step['from'])}→{schema.label('stage', step['to'])}"
        events.append(
            Event(
                max(_at(step["date"], 16), created + timedelta(minutes=1)),
                step.get("by") or record["owner"],
                {f"{rel}/{CUSTOMER_FILE}": content},
                "修改",
                cid,
                name,
                detail,
                "update",
                ("stage",),
            )
        )
    for file in sorted((folder / NOTES_DIR).glob(f"*{TOML_SUFFIX}")):
        note = loads(file.read_bytes(), file.name)
        events.append(
            Event(
                _at(note["time"], 0),
                note.get("by") or record["owner"],
                {f"{rel}/{NOTES_DIR}/{file.name}": file.read_bytes()},
                "沟通记录",
                cid,
                name,
                f"{schema.label('channel', note['channel'])} {note['time']:%Y-%m-%d %H:%M}",
                "note",
            )
        )
    for file in sorted((folder / DEALS_DIR).glob(f"*{TOML_SUFFIX}")):
        deal = loads(file.read_bytes(), file.name)
        events.append(
            Event(
                _at(deal["date"], 15),
                deal.get("by") or record["owner"],
                {f"{rel}/{DEALS_DIR}/{file.name}": file.read_bytes()},
                "交易",
                cid,
                name,
                f"{float(deal['amount']):,.2f} 元 {deal['product']}",
                "deal",
            )
        )
    for meta_file in sorted((folder / DOCS_DIR).glob(f"*{META_SUFFIX}")):
        doc = meta_file.name[: -len(META_SUFFIX)]
        meta = loads(meta_file.read_bytes(), meta_file.name)
        kind = (
            schema.doc_types[meta["doc_type"]].label
            if meta.get("doc_type")
            else schema.info_types[meta["info_type"]].label
        )
        events.append(
            Event(
                _at(meta["added_at"], 0),
                meta.get("added_by") or record["owner"],
                {
                    f"{rel}/{document_file(doc)}": (folder / DOCS_DIR / doc).read_bytes(),
                    f"{rel}/{DOCS_DIR}/{meta_file.name}": meta_file.read_bytes(),
                },
                "归档",
                cid,
                name,
                f"{kind} {doc}",
                "attach",
            )
        )
    return events


def _writing(changes: Changes, message: str) -> Callable[[str | None], tuple[Changes, str]]:
    """A ``Store.transact`` build that writes ``changes`` on whatever head it is given."""
    return lambda head: (changes, message)


def build_demo(path: str | Path, user: str | None = None) -> Archive:
    """Create the demo archive at ``path`` (a new directory) as the 北京 office's copy."""
    root = sample_dir()
    meta = loads((root / ARCHIVE_FILE).read_bytes(), ARCHIVE_FILE)
    offices = {f.stem: f.read_bytes() for f in sorted((root / OFFICES_DIR).glob(f"*{TOML_SUFFIX}"))}
    home = "BJ" if "BJ" in offices else next(iter(offices))
    home_name = loads(offices[home], OFFICES_DIR).get("name", home)
    folders = sorted(p.parent for p in (root / CUSTOMERS_DIR).glob(f"*/*/*/{CUSTOMER_FILE}"))
    schema = Schema.load_dir(default_schema_dir())
    events = [e for folder in folders for e in _customer_events(schema, folder, root)]
    start = min(e.when for e in events) - timedelta(days=1)
    probe = Archive.init(
        path, home, name=meta.get("name"), office_name=home_name, user=user or ADMIN, when=start - timedelta(hours=1)
    )
    events.append(
        Event(
            start,
            ADMIN,
            {office_file(code): raw for code, raw in offices.items()},
            "登记办事处",
            None,
            None,
            "、".join(sorted(offices)),
            "schema",
        )
    )
    store = probe.store
    for event in sorted(events, key=lambda e: e.when):
        message = probe.commit_message(
            event.verb, event.customer, event.name, event.detail, event.action, list(event.fields)
        )
        store.transact(_writing(event.changes, message), Identity(event.author, "", event.when), sync=False)
    final: Changes = {
        office_file(code): raw for code, raw in offices.items() if store.read(store.head(), office_file(code)) != raw
    }
    if final:
        store.transact(
            lambda head: (final, probe.commit_message("登记办事处", None, None, "", "schema", [])),
            Identity(ADMIN, "", max(e.when for e in events)),
            sync=False,
        )
    if store.work_tree is not None:
        store.git("reset", "-q", "--hard")
        store.sync_work_tree()  # records the commit the working tree now reflects
    probe.pack()
    return probe
