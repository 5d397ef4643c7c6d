"""``custtui check``: every stored record read back and validated against the archive's schema."""

from __future__ import annotations

import hashlib

from .errors import CusttuiError
from .listing import batch_read, customer_folders
from .records import DOC_SYSTEM_FIELDS, ID_PATTERN, Validator, customer_dir, loads
from .store import Store

META_SUFFIX = ".meta.toml"


def check_records(store: Store, validator: Validator, head: str | None) -> list[str]:
    """Problems found in customer folders, each naming the file (and line, for bad TOML)."""
    if head is None:
        return []
    problems: list[str] = []
    for folder, files in sorted(customer_folders(store, head).items()):
        problems += _check_customer(store, validator, folder, files)
    return problems


def _check_customer(store: Store, validator: Validator, folder: str, files: dict[str, str]) -> list[str]:
    problems = []
    customer_id = folder.rsplit("/", 1)[1]
    if not ID_PATTERN.match(customer_id) or customer_dir(customer_id) != folder:
        problems.append(f"{folder}: 文件夹名不是有效的客户编号或不在正确的分片目录下")
    names = sorted(files)
    contents = dict(zip(names, batch_read(store.git_dir, [files[n] for n in names])))

    def read(name: str) -> dict | None:
        try:
            return loads(contents[name], f"{folder}/{name}")
        except CusttuiError as exc:
            problems.append(str(exc))
            return None

    if "customer.toml" not in files:
        return problems + [f"{folder}: 缺少 customer.toml"]
    customer = read("customer.toml")
    ctype = None
    if customer is not None:
        if customer.get("id") != customer_id:
            problems.append(f"{folder}/customer.toml: id 为 {customer.get('id')!r}, 与文件夹 {customer_id} 不符")
        ctype = customer.get("type")
        problems += _validated(f"{folder}/customer.toml", lambda: validator.customer(customer))
    for name in names:
        path = f"{folder}/{name}"
        if name.startswith("notes/") and name.endswith(".toml"):
            record = read(name)
            if record is not None:
                problems += _validated(path, lambda: validator.note(record))
        elif name.startswith("deals/") and name.endswith(".toml"):
            record = read(name)
            if record is not None:
                problems += _validated(path, lambda: validator.deal(record))
        elif name.startswith("docs/") and name.endswith(META_SUFFIX):
            document = name[: -len(META_SUFFIX)]
            record = read(name)
            if document not in files:
                problems.append(f"{path}: 元数据对应的资料文件 {document} 不存在")
            elif record is not None:
                known = {k: v for k, v in record.items() if k not in DOC_SYSTEM_FIELDS}
                problems += _validated(path, lambda: validator.document(known, ctype))
                if record.get("sha256") != hashlib.sha256(contents[document]).hexdigest():
                    problems.append(f"{folder}/{document}: 校验和与元数据不符, 文件可能被改动")
                if record.get("main") and f"docs/{record['main']}" not in files:
                    problems.append(f"{path}: 主文件 {record['main']} 不存在")
        elif name.startswith("docs/") and name + META_SUFFIX not in files:
            problems.append(f"{path}: 资料缺少元数据文件 {name.rsplit('/', 1)[1]}{META_SUFFIX}")
    return problems


def _validated(path: str, check) -> list[str]:
    try:
        check()
    except CusttuiError as exc:
        return [f"{path}: {exc}"]
    return []
