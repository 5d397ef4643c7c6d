"""``custtui duplicates``: every pair of customers in the archive that may be the same, with the evidence."""

from __future__ import annotations

from ..core.access.policy import CUSTOMER_RECORD, PermissionDenied
from .common import Output, open_archive


def cmd_duplicates(args, out: Output) -> None:
    from ..core.archive.duplicates import CROWDED, DuplicateFinder

    archive = open_archive(args)
    access = archive.access
    if not access.can_view(*CUSTOMER_RECORD):
        raise PermissionDenied(
            f"缺少权限「查看客户档案」: {access.person or '当前用户'} 的角色 {access.label} 不能查看客户档案"
        )
    finder = DuplicateFinder.of(archive)
    pairs = finder.pairs()
    groups = _groups([(cid, suspect.id) for cid, suspect in pairs])
    data = {
        "pairs": [
            {
                "a": {"id": cid, "name": finder.entries[cid].name},
                "b": {"id": suspect.id, "name": suspect.name},
                "certain": suspect.certain,
                "reasons": list(suspect.reasons),
            }
            for cid, suspect in pairs
        ],
        "groups": groups,
        "crowded": finder.crowded,
    }
    crowded = (
        f"另有 {finder.crowded} 个名称或号码为超过 {CROWDED} 位客户共有 (如总机、占位号码), 不算作重复的证据"
        if finder.crowded
        else ""
    )
    if not pairs:
        out.emit(data, "\n".join(filter(None, ["没有发现疑似重复的客户", crowded])))
        return
    lines = []
    for certain, heading in (
        (True, "确定重复 (同一主体, 可用 custtui merge-customers A B 合并):"),
        (False, "疑似重复:"),
    ):
        shown = [(cid, s) for cid, s in pairs if s.certain == certain]
        if shown:
            lines.append(heading)
        for cid, suspect in shown:
            lines.append(f"  {cid} {finder.entries[cid].name}  ⇄  {suspect.id} {suspect.name}")
            lines.extend(f"    - {reason}" for reason in suspect.reasons)
    for group in groups:
        if len(group) > 2:
            lines.append(f"互相关联的一组: {'、'.join(group)}")
    certain_count = sum(s.certain for _, s in pairs)
    lines.append(f"共 {len(pairs)} 对疑似重复 (其中 {certain_count} 对确定)")
    if crowded:
        lines.append(crowded)
    out.emit(data, "\n".join(lines))


def _groups(pairs: list[tuple[str, str]]) -> list[list[str]]:
    """The customers linked by pairs, each group sorted, groups by their first ID (union-find)."""
    parent: dict[str, str] = {}

    def root(cid: str) -> str:
        parent.setdefault(cid, cid)
        while parent[cid] != cid:
            parent[cid] = parent[parent[cid]]
            cid = parent[cid]
        return cid

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for cid in parent:
        groups.setdefault(root(cid), []).append(cid)
    return sorted(sorted(group) for group in groups.values())


def add_commands(command) -> None:
    """Register ``duplicates`` through ``build_parser``'s ``command``."""
    command(  # no options of its own: --json and --archive are global
        "duplicates",
        cmd_duplicates,
        "查找疑似重复的客户: 同一信用代码/身份证号、名称或简称相同 (不计有限公司、括号、全角)、电话相同",
    )
