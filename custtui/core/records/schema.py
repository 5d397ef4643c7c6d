"""The classification standard (分类标准) as data: dimensions, document types, regions, fields, rules.

The default lives in the repository's top-level ``schema/``; ``init`` copies it into the archive,
where each company edits it and changes are audited like any record. Loading checks it and names
the file, the key and what is wrong.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping, NamedTuple, NoReturn

from ..base import tomlread
from ..base.bundled import SCHEMA_SOURCE, bundled_dir
from ..base.errors import RecordError, SchemaError
from ..base.layout import (
    DIMENSIONS_FILE,
    DOCUMENTS_FILE,
    FIELDS_FILE,
    REGIONS_FILE,
    RULES_FILE,
    SCHEMA_DIR,
    SCHEMA_FILES,
    TOML_SUFFIX,
    schema_file,
)
from ..store.repo import Store

FIELD_KINDS = {
    "text",
    "multiline",
    "uscc",
    "id_card",
    "phone",
    "email",
    "date",
    "amount",
    "enum",
    "enum_list",
    "region",
    "text_list",
    "phone_list",
    "contacts",
}
CUSTOMER_TYPE = "customer_type"


def default_schema_dir() -> Path:
    """The standard shipped with custtui, copied into every new archive."""
    return bundled_dir(SCHEMA_SOURCE, "默认分类标准")


# rules.toml's sections added after archives were made (the defaults are schema/rules.toml's):
# an archive whose copy lacks a section or a key gets these, so every routine reads one shape
RULE_DEFAULTS: dict[str, dict] = {
    "follow_up": {"pool_after_days": 0, "warn_days": 7, "postpone_days": 7},
    "routines": {
        "value_window_days": 365,
        "key_tiers": ["high"],
        "key_grade": "vip",
        "stable_min_deals": 3,
        "stable_window_days": 365,
        "stale_after_days": 365,
    },
    "retention": {
        "years": {"basic": 30, "cooperation": 10, "service": 5, "credit": 10, "other": 3},
        "access_log_days": 1095,
        "customers": {
            "terminated": {
                "years": 3,
                "basis": "《个人信息保护法》第十九条、第四十七条第一款第二项: 已停止提供产品或服务, 保存期限届满"
                " (三年为《民法典》第一百八十八条的诉讼时效)",
            },
            "history": {
                "years": {"individual": 3, "enterprise": 5, "government": 5},
                "basis": "《个人信息保护法》第十九条、第四十七条第一款第一项: 长期没有联系, 处理目的已实现或不再必要",
            },
        },
    },
}


class Value(NamedTuple):
    """One value of a dimension: a stable code and its Chinese label."""

    code: str
    label: str
    aliases: tuple[str, ...] = ()
    extra: Mapping[str, object] = MappingProxyType({})


class Dimension(NamedTuple):
    """A classification dimension (客户类型, 合作阶段, 行业 …) and its values."""

    code: str
    label: str
    values: tuple[Value, ...]
    spellings: Mapping[str, str]  # every spelling (casefolded) -> code: see ``spellings``

    def value(self, code: str) -> Value | None:
        return next((v for v in self.values if v.code == code), None)

    def resolve(self, text: str) -> str | None:
        """The code for ``text`` given as code, label or alias (case-insensitive), or None."""
        return self.spellings.get(str(text).strip().casefold())

    def label_of(self, code: str) -> str:
        found = self.value(code)
        return found.label if found else code

    def choices(self) -> str:
        return "、".join(f"{v.label}({v.code})" for v in self.values)


def spellings(values: list[Value]) -> dict[str, str]:
    """Every spelling of the values (code, label, aliases; casefolded) -> code; an earlier value
    wins a spelling two share."""
    codes: dict[str, str] = {}
    for v in reversed(values):
        codes.update(dict.fromkeys((v.code.casefold(), v.label.casefold(), *(a.casefold() for a in v.aliases)), v.code))
    return codes


class DocType(NamedTuple):
    code: str
    label: str
    info_type: str
    stage: str | None = None
    for_types: tuple[str, ...] = ()
    default_sensitivity: str | None = None


class InfoType(NamedTuple):
    code: str
    label: str
    doc_types: tuple[DocType, ...]
    default_sensitivity: str | None = None


class FieldDef(NamedTuple):
    """One customer field: its kind, which customer types have it, which must fill it."""

    code: str
    label: str
    kind: str
    for_types: tuple[str, ...] = ()
    required_for: tuple[str, ...] = ()
    dimension: str | None = None
    max_length: int = 200
    default: object = None
    personal: bool = False

    def applies_to(self, customer_type: str) -> bool:
        return not self.for_types or customer_type in self.for_types


class City(NamedTuple):
    code: str
    label: str
    province: str


class Schema:
    """A loaded, checked classification standard."""

    def __init__(
        self,
        dimensions: dict[str, Dimension],
        info_types: dict[str, InfoType],
        fields: dict[str, FieldDef],
        provinces: dict[str, dict],
        cities: dict[str, City],
        macro_regions: dict[str, str],
        rules: dict,
    ):
        self.dimensions = dimensions
        self.info_types = info_types
        self.doc_types = {d.code: d for it in info_types.values() for d in it.doc_types}
        self._doc_types = _spellings(self.doc_types.values())
        self._info_types = _spellings(info_types.values())
        self.fields = fields
        self.provinces = provinces
        self.cities = cities
        self.macro_regions = macro_regions
        self.rules = rules

    # --- loading -------------------------------------------------------------------------

    @classmethod
    def load_dir(cls, folder: str | Path) -> "Schema":
        folder = Path(folder)
        return cls.load(lambda name: (folder / name).read_bytes() if (folder / name).is_file() else None)

    @classmethod
    def load(cls, read: Callable[[str], bytes | None], prefix: str = f"{SCHEMA_DIR}/") -> "Schema":
        """Load from ``read(filename) -> bytes | None`` (a folder, or files at a commit)."""
        docs = {}
        for name in SCHEMA_FILES:
            raw = read(name)
            file = prefix + name
            if raw is None:
                raise SchemaError(file, "(整个文件)", "文件缺失")
            try:
                docs[name] = tomlread.parse(raw, file)
            except RecordError as exc:
                where = f", 第 {exc.line} 行" if exc.line else ""
                raise SchemaError(file, "(语法)", f"{exc.problem}{where}") from None
        try:
            return _Builder(prefix, docs).build()
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            # a shape the builder does not expect (a table where a list belongs …), e.g. from another copy
            raise SchemaError(
                f"{prefix}*{TOML_SUFFIX}", "(结构)", f"内容的结构不对: {type(exc).__name__} {exc}"
            ) from None

    # --- lookups -------------------------------------------------------------------------

    def dimension(self, code: str) -> Dimension:
        return self.dimensions[code]

    def resolve(self, dimension: str, text: str) -> str | None:
        return self.dimensions[dimension].resolve(text)

    def label(self, dimension: str, code: str) -> str:
        return self.dimensions[dimension].label_of(code)

    def field(self, key: str) -> FieldDef | None:
        """A customer field by its code or its Chinese label."""
        return self.fields.get(key) or next((f for f in self.fields.values() if f.label == key), None)

    def fields_for(self, customer_type: str) -> list[FieldDef]:
        return [f for f in self.fields.values() if f.applies_to(customer_type)]

    def resolve_doc_type(self, text: str) -> DocType | None:
        return self._doc_types.get(str(text).strip().casefold())

    def resolve_info_type(self, text: str) -> InfoType | None:
        return self._info_types.get(str(text).strip().casefold())

    def resolve_region(self, text: str) -> str | None:
        """A city code from a code or a name (深圳, 深圳市, 广东深圳, 440300); a province code too."""
        wanted = str(text).strip()
        if wanted in self.cities or wanted in self.provinces:
            return wanted
        for city in self.cities.values():
            province = self.provinces[city.province]
            names = {
                city.label,
                city.label.removesuffix("市"),
                province["short"] + city.label,
                province["label"] + city.label,
                province["short"] + city.label.removesuffix("市"),
            }
            if wanted in names:
                return city.code
        for code, province in self.provinces.items():
            if wanted in (province["label"], province["short"]):
                return code
        return None

    def region_label(self, code: str) -> str:
        """``广东省 深圳市`` for a city code; the province's name for a province code."""
        if code in self.cities:
            city = self.cities[code]
            province = self.provinces[city.province]["label"]
            return city.label if city.label == province else f"{province} {city.label}"
        if code in self.provinces:
            return self.provinces[code]["label"]
        return code

    def macro_region(self, code: str) -> str | None:
        province = self.cities[code].province if code in self.cities else code
        found = self.provinces.get(province)
        return found["macro"] if found else None

    def value_tier_for(self, annual_amount: float) -> str:
        """The value tier whose threshold an annual amount reaches."""
        tiers = sorted(self.dimensions["value_tier"].values, key=_min_annual, reverse=True)
        return next(v.code for v in tiers if annual_amount >= _min_annual(v))


def _min_annual(tier: Value) -> float:
    """A value tier's annual threshold (loading checked that it is a number)."""
    threshold = tier.extra.get("min_annual", 0)
    if not isinstance(threshold, (int, float)):
        raise SchemaError(DIMENSIONS_FILE, f"value_tier.{tier.code}.min_annual", "价值层级须给出年金额阈值 (数字)")
    return float(threshold)


def _spellings(items) -> dict:
    """Code and label (casefolded) -> item; the first item wins a spelling two share."""
    found: dict = {}
    for item in items:
        for spelling in (item.code.casefold(), item.label.casefold()):
            found.setdefault(spelling, item)
    return found


class _Builder:
    """Turns the parsed TOML files into a Schema, checking every key on the way."""

    def __init__(self, prefix: str, docs: dict[str, dict]):
        self.prefix, self.docs = prefix, docs

    def fail(self, name: str, key: str, problem: str) -> NoReturn:
        raise SchemaError(self.prefix + name, key, problem)

    def text(self, name: str, key: str, value) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(name, key, "应为非空字符串")
        return value

    def build(self) -> Schema:
        dimensions = self.dimensions()
        info_types = self.info_types(dimensions)
        provinces, cities, macro = self.regions()
        fields = self.fields(dimensions)
        rules = self.rules(dimensions, info_types)
        return Schema(dimensions, info_types, fields, provinces, cities, macro, rules)

    def dimensions(self) -> dict[str, Dimension]:
        name, doc = DIMENSIONS_FILE, self.docs[DIMENSIONS_FILE]
        result = {}
        for code, body in doc.items():
            if not isinstance(body, dict):
                self.fail(name, code, "应为表 [维度代码]")
            label = self.text(name, f"{code}.label", body.get("label"))
            raw_values = body.get("values")
            if not isinstance(raw_values, list) or not raw_values:
                self.fail(name, f"{code}.values", "应为非空的取值列表")
            values: list[Value] = []
            seen: set[str] = set()
            for i, item in enumerate(raw_values):
                key = f"{code}.values[{i}]"
                if not isinstance(item, dict):
                    self.fail(name, key, "应为 { code = ..., label = ... }")
                vcode = self.text(name, f"{key}.code", item.get("code"))
                vlabel = self.text(name, f"{key}.label", item.get("label"))
                aliases = item.get("aliases", [])
                if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                    self.fail(name, f"{key}.aliases", "应为字符串列表")
                tokens = {t.casefold() for t in (vcode, vlabel, *aliases)}
                if clash := tokens & seen:
                    self.fail(name, key, f"「{clash.pop()}」与其他取值重复, 输入时无法区分")
                seen |= tokens
                extra = {k: v for k, v in item.items() if k not in ("code", "label", "aliases")}
                values.append(Value(vcode, vlabel, tuple(aliases), extra))
            result[code] = Dimension(code, label, tuple(values), spellings(values))
        for required in (CUSTOMER_TYPE, "stage", "status", "sensitivity", "value_tier"):
            if required not in result:
                self.fail(name, required, "缺少必需的维度")
        for i, v in enumerate(result["value_tier"].values):
            if not isinstance(v.extra.get("min_annual"), (int, float)):
                self.fail(name, f"value_tier.values[{i}].min_annual", "价值层级须给出年金额阈值 (数字)")
        return result

    def info_types(self, dimensions: dict[str, Dimension]) -> dict[str, InfoType]:
        name, doc = DOCUMENTS_FILE, self.docs[DOCUMENTS_FILE]
        raw = doc.get("info_types")
        if not isinstance(raw, list) or not raw:
            self.fail(name, "info_types", "应为非空的 [[info_types]] 列表")
        result, doc_codes = {}, set()
        sensitivities = {v.code for v in dimensions["sensitivity"].values}
        types = {v.code for v in dimensions[CUSTOMER_TYPE].values}
        stages = {v.code for v in dimensions["stage"].values}
        for i, item in enumerate(raw):
            key = f"info_types[{i}]"
            code = self.text(name, f"{key}.code", item.get("code"))
            label = self.text(name, f"{key}.label", item.get("label"))
            default_sens = item.get("default_sensitivity")
            if default_sens is not None and default_sens not in sensitivities:
                self.fail(name, f"{key}.default_sensitivity", f"未知的敏感等级 {default_sens!r}")
            docs = []
            for j, d in enumerate(item.get("doc_types", [])):
                dkey = f"{key}.doc_types[{j}]"
                dcode = self.text(name, f"{dkey}.code", d.get("code"))
                if dcode in doc_codes:
                    self.fail(name, f"{dkey}.code", f"资料类型代码 {dcode!r} 重复")
                doc_codes.add(dcode)
                for_types = tuple(d.get("for_types", ()))
                if unknown := set(for_types) - types:
                    self.fail(name, f"{dkey}.for_types", f"未知的客户类型 {sorted(unknown)}")
                if d.get("stage") is not None and d["stage"] not in stages:
                    self.fail(name, f"{dkey}.stage", f"未知的合作阶段 {d['stage']!r}")
                sens = d.get("default_sensitivity", default_sens)
                if sens is not None and sens not in sensitivities:
                    self.fail(name, f"{dkey}.default_sensitivity", f"未知的敏感等级 {sens!r}")
                docs.append(
                    DocType(
                        dcode, self.text(name, f"{dkey}.label", d.get("label")), code, d.get("stage"), for_types, sens
                    )
                )
            if not docs:
                self.fail(name, f"{key}.doc_types", "至少需要一种资料类型")
            result[code] = InfoType(code, label, tuple(docs), default_sens)
        return result

    def regions(self):
        name, doc = REGIONS_FILE, self.docs[REGIONS_FILE]
        macro = doc.get("macro_regions", {})
        provinces, cities = {}, {}
        for i, item in enumerate(doc.get("provinces", [])):
            key = f"provinces[{i}]"
            code = self.text(name, f"{key}.code", item.get("code"))
            if item.get("macro") not in macro:
                self.fail(name, f"{key}.macro", f"未知的大区 {item.get('macro')!r}")
            provinces[code] = {
                "label": self.text(name, f"{key}.label", item.get("label")),
                "short": item.get("short") or item["label"],
                "macro": item["macro"],
            }
            for j, city in enumerate(item.get("cities", [])):
                ccode = self.text(name, f"{key}.cities[{j}].code", city.get("code"))
                if ccode in cities:
                    self.fail(name, f"{key}.cities[{j}].code", f"地域代码 {ccode} 重复")
                cities[ccode] = City(ccode, self.text(name, f"{key}.cities[{j}].label", city.get("label")), code)
        if not provinces:
            self.fail(name, "provinces", "至少需要一个省级行政区")
        return provinces, cities, macro

    def fields(self, dimensions: dict[str, Dimension]) -> dict[str, FieldDef]:
        name, doc = FIELDS_FILE, self.docs[FIELDS_FILE]
        raw = doc.get("fields")
        if not isinstance(raw, dict) or not raw:
            self.fail(name, "fields", "应为 [fields.字段代码] 表")
        types = {v.code for v in dimensions[CUSTOMER_TYPE].values}
        result = {}
        for code, body in raw.items():
            key = f"fields.{code}"
            if code in ("id", "type", "stage_history", "merged_into"):
                self.fail(name, key, "该字段由系统维护, 不能在此定义")
            kind = body.get("kind")
            if kind not in FIELD_KINDS:
                self.fail(name, f"{key}.kind", f"未知的字段种类 {kind!r}, 可选: {', '.join(sorted(FIELD_KINDS))}")
            dimension = body.get("dimension")
            if kind in ("enum", "enum_list") and dimension not in dimensions:
                self.fail(name, f"{key}.dimension", f"未知的维度 {dimension!r}")
            for list_key in ("for_types", "required_for"):
                unknown = set(body.get(list_key, ())) - types
                if unknown:
                    self.fail(name, f"{key}.{list_key}", f"未知的客户类型 {sorted(unknown)}")
            default = body.get("default")
            if default is not None and kind == "enum" and dimensions[dimension].value(default) is None:
                self.fail(name, f"{key}.default", f"默认值 {default!r} 不在维度 {dimension} 中")
            result[code] = FieldDef(
                code,
                self.text(name, f"{key}.label", body.get("label")),
                kind,
                tuple(body.get("for_types", ())),
                tuple(body.get("required_for", ())),
                dimension,
                int(body.get("max_length", 200)),
                default,
                bool(body.get("personal", False)),
            )
        for required in ("name", "stage", "owner"):
            if required not in result:
                self.fail(name, f"fields.{required}", "缺少必需的字段定义")
        return result

    def rules(self, dimensions: dict[str, Dimension], info_types: dict) -> dict:
        name, doc = RULES_FILE, self.docs[RULES_FILE]
        status = doc.get("status", {})
        for key in ("dormant_after_days", "lost_after_days", "history_after_days"):
            if not isinstance(status.get(key), int) or status[key] <= 0:
                self.fail(name, f"status.{key}", "应为正整数 (天数)")
        if not status["dormant_after_days"] < status["lost_after_days"] < status["history_after_days"]:
            self.fail(name, "status", "应满足 沉睡天数 < 流失天数 < 历史天数")
        documents = doc.get("documents", {})
        for key in ("name_pattern", "contract_name_pattern"):
            self.text(name, f"documents.{key}", documents.get(key))
        for key in ("max_name_length", "max_file_bytes"):
            if not isinstance(documents.get(key), int) or documents[key] <= 0:
                self.fail(name, f"documents.{key}", "应为正整数")
        for section, defaults in RULE_DEFAULTS.items():  # an archive made before the section existed
            given = doc.get(section, {})
            if not isinstance(given, dict):
                self.fail(name, section, f"应为一个表 ([{section}])")
            doc[section] = merged = {**defaults, **given}
            for key, value in merged.items():
                if isinstance(defaults.get(key), int) and (not isinstance(value, int) or value < 0):
                    self.fail(name, f"{section}.{key}", "应为不小于 0 的整数 (天数)")
        routines = doc["routines"]
        if not isinstance(routines["key_tiers"], list):
            self.fail(name, "routines.key_tiers", "应为价值层级代码的列表")
        for tier in routines["key_tiers"]:
            self.code_of(name, "routines.key_tiers", dimensions, "value_tier", tier)
        self.code_of(name, "routines.key_grade", dimensions, "grade", routines["key_grade"])
        years = doc["retention"]["years"]
        if not isinstance(years, dict):
            self.fail(name, "retention.years", "应为 { 信息类型 = 年数 } 的表")
        for info, count in years.items():
            if info not in info_types:
                self.fail(name, f"retention.years.{info}", "不是 documents.toml 中的信息类型")
            if not isinstance(count, int) or count <= 0:
                self.fail(name, f"retention.years.{info}", "应为正整数 (年)")
        self.customer_retention(dimensions, doc["retention"]["customers"])
        return doc

    def customer_retention(self, dimensions: dict[str, Dimension], rules) -> None:
        """``[retention.customers]``: per status or stage code, ``years`` (a positive integer, or one
        per customer type) and the legal ``basis``."""
        name, key = RULES_FILE, "retention.customers"
        if not isinstance(rules, dict):
            self.fail(name, key, '应为 { 客户状态或合作阶段 = { years = 年数, basis = "法律依据" } } 的表')
        codes = {d: [v.code for v in dimensions[d].values] for d in ("status", "stage") if d in dimensions}
        types = [v.code for v in dimensions[CUSTOMER_TYPE].values] if CUSTOMER_TYPE in dimensions else []
        for code, rule in rules.items():
            where = [d for d, known in codes.items() if code in known]
            if len(where) != 1:
                known = "、".join(c for d in codes.values() for c in d)
                problem = (
                    "同时是客户状态和合作阶段的代码, 无法判断" if where else f"不是客户状态或合作阶段的代码 ({known})"
                )
                self.fail(name, f"{key}.{code}", problem)
            if not isinstance(rule, dict) or set(rule) != {"years", "basis"}:
                self.fail(name, f"{key}.{code}", '应为 { years = 年数, basis = "法律依据" }, 两项都要写')
            years = rule["years"]
            for kind, count in years.items() if isinstance(years, dict) else [(None, years)]:
                if kind is not None and kind not in types:
                    self.fail(name, f"{key}.{code}.years.{kind}", f"不是客户类型的代码 ({', '.join(types)})")
                if not isinstance(count, int) or isinstance(count, bool) or count <= 0:
                    self.fail(name, f"{key}.{code}.years", "应为正整数 (年), 或按客户类型的 { individual = 年数, … }")
            if not isinstance(rule["basis"], str) or not rule["basis"].strip():
                self.fail(name, f"{key}.{code}.basis", "应写明保管期限的法律依据 (非空文字)")

    def code_of(self, name: str, key: str, dimensions: dict[str, Dimension], dimension: str, code) -> None:
        """Refuse a value the dimension does not define."""
        known = [v.code for v in dimensions[dimension].values] if dimension in dimensions else []
        if code not in known:
            self.fail(name, key, f"{code!r} 不是维度 {dimension} 的取值 ({', '.join(known)})")


# parsed standards by the git id of their schema/ tree: every archive opened in this process
# (the TUI, a sync, tests) shares them instead of parsing ~80 ms of TOML again
_BY_TREE: dict[str, Schema] = {}


def schema_at(store: Store, commit: str | None) -> Schema:
    """The archive's own classification standard at ``commit`` (the default one before any)."""
    found = store.entry(commit, SCHEMA_DIR)
    key = found[1] if found else ""
    if key not in _BY_TREE:
        _BY_TREE[key] = Schema.load(lambda name: store.read(commit, schema_file(name)))
    return _BY_TREE[key]
