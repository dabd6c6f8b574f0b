"""Bulk member import (xlsx or csv, UTF-8 or GB18030), built for a million rows; the export is in `exports.py`.

A thread reads, checks and encrypts rows a batch ahead while the caller writes the previous batch by COPY
(`gonghui.core.bulk`), so Python and PostgreSQL work at the same time. The whole file is one transaction with
one audit event: "all or nothing" rolls it back if any row is bad; "good rows" skips the bad ones. Either way
every bad row is reported by row, column and reason. Re-importing the same file creates nothing new: people
are matched by the blind index of their 身份证号.
"""
from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core import crypto
from gonghui.core.bulk import BulkLoad, existing_keys, prefetched, quick_thread_switches
from gonghui.core.exceptions import ApplicationError
from gonghui.core.spreadsheets import CellError, Column, RowError, code_cell, date_cell, table_rows, write_xlsx
from gonghui.core.validators import (EARLIEST_BIRTH, PROVINCE_PREFIXES, InvalidIdentifier, id_check_character,
                                     normalize_mobile, normalize_person_name, parse_id_number)
from gonghui.members.models import (ApplicationStatus, Employment, JoinApplication, Membership, MembershipEvent, MembershipStatus,
                                     NewFormType, Person)
from gonghui.members.services import LIVE_STATUSES, MEMBER_UNION_TYPES, mask_org_name, member_number_for
from gonghui.orgs.models import Org
from gonghui.orgs.paths import common_ancestor_path

BATCH_SIZE = 10_000
MAX_BYTES = 400 * 1024 * 1024
MODES = {"all_or_nothing": "有错则全部不导入", "good_rows": "只导入正确的行"}

COLUMNS = (
    Column("name", "姓名", width=10),
    Column("id_number", "身份证号", text=True, width=22, digits=()),  # 18 digits: never whole as a number (DESIGN rule 9)
    Column("phone", "手机号", text=True, width=14, digits=(11,)),
    Column("union_code", "所在工会编码", text=True, width=22, digits=(6, 9, 12)),
    Column("joined_on", "入会日期", text=True, width=12, date=True),
    Column("new_form_type", "新就业形态", width=12),
    Column("platform_company", "平台企业", width=14),
)
NEW_FORM_BY_LABEL = {label: value for value, label in NewFormType.choices}
ID_INDEX_PURPOSE = Person._meta.get_field("id_index").purpose
PHONE_INDEX_PURPOSE = Person._meta.get_field("phone_index").purpose
NAME_INDEX_PURPOSE = Person._meta.get_field("name_index").purpose
# What the fast path takes without further thought: uppercase ASCII, a province prefix, nothing around it
WELL_FORMED_ID = re.compile("(?:" + "|".join(sorted(PROVINCE_PREFIXES)) + ")[0-9]{15}[0-9X]")
WELL_FORMED_MOBILE = re.compile("1[3-9][0-9]{9}")
WELL_FORMED_DATE = re.compile("[0-9]{4}([-/])[0-9]{2}\\1[0-9]{2}")  # the template's 2026-11-26, and 2026/11/26
MIN_JOIN_AGE = 16  # 工会法: workers may join from the age at which they may work
GENDER_BY_DIGIT = {digit: "male" if int(digit) % 2 else "female" for digit in "0123456789"}
# The MembershipEvent kinds an import writes: a row without 入会日期 is dated the day of the import, which says nothing of when the
# person joined, so drives (members.drives) must be able to tell it from a row that gave its date.
IMPORTED, IMPORTED_UNDATED = "imported", "imported_undated"


@dataclass
class MemberImportResult:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_sha256: str = ""


# ---------------------------------------------------------------- reading


def _cell_text(value) -> str:
    if type(value) is str:  # nearly every cell: checked first
        return value.strip()
    if value is None:
        return ""
    return str(value).strip()


def open_rows(data: bytes) -> tuple[Iterator[list], int]:
    """(raw rows with the header first, about how many rows) of an xlsx's first sheet or a UTF-8/GB18030 csv."""
    return table_rows(data, max_bytes=MAX_BYTES)


def _header_positions(header: list) -> dict[str, int]:
    titles = [str(cell or "").strip().lstrip(codecs.BOM_UTF8.decode()) for cell in header]
    missing = [c.header for c in COLUMNS[:4] if c.header not in titles]
    if missing:
        raise ApplicationError("表头缺少列：" + "、".join(missing) + "。请使用下载的导入模板", code="members.missing_columns")
    return {c.key: titles.index(c.header) for c in COLUMNS if c.header in titles}


# ---------------------------------------------------------------- checking and sealing (in the reading thread)


class Candidate(NamedTuple):
    """A good row, with the values as stored: sealed (encrypted) PII and blind indexes."""

    row: int
    id_index: str
    union_id: int
    joined_on: dt.date
    new_form_type: str
    platform_company: str
    gender: str
    birth_month: dt.date  # the first of the month: the birth day is not kept in clear (decision 0018)
    name_index: str
    name_sealed: str
    id_sealed: str
    phone_sealed: str
    phone_index: str | None
    dated: bool  # the row gave its 入会日期 (else joined_on is the day of the import)


@dataclass
class CheckedBatch:
    rows: int
    candidates: list[Candidate]
    errors: list[RowError]


class _Checker:
    """Checks rows and seals the good ones. Runs in the reading thread, so it never touches the database:
    the unions the actor may import into come in as a code → id map."""

    def __init__(self, *, unions: dict[str, int], positions: dict[str, int], today: dt.date):
        self.unions, self.today = unions, today
        self.columns = tuple(positions.get(column.key, -1) for column in COLUMNS)
        self.seen: dict[str, int] = {}
        self.id_index = crypto.blind_indexer(purpose=ID_INDEX_PURPOSE)
        self.phone_index = crypto.blind_indexer(purpose=PHONE_INDEX_PURPOSE)
        self.name_index = crypto.blind_indexer(purpose=NAME_INDEX_PURPOSE)
        self.seal_name, self.seal_id, self.seal_phone = (crypto.encryptor(aad=Person._meta.get_field(name).aad)
                                                         for name in ("name", "id_number", "phone"))
        # the fast path reads the seven cells in one step; a file without the optional columns takes the full check
        self.pick = itemgetter(*self.columns) if min(self.columns) >= 0 else None
        self.births: dict[str, dt.date] = {}  # the valid birth dates and join dates seen so far, by their text
        self.old_enough: dict[dt.date, dt.date] = {}  # birth date → the day its person may join
        self.join_dates: dict[str, dt.date] = {}

    def batches(self, rows: Iterator[list], *, size: int = BATCH_SIZE) -> Iterator[CheckedBatch]:
        batch = CheckedBatch(0, [], [])
        for row_number, cells in enumerate(rows, start=2):
            if not any(cell not in (None, "") for cell in cells):
                continue
            batch.rows += 1
            candidate = self.check(row_number, cells, batch.errors)
            if candidate is not None:
                batch.candidates.append(candidate)
            if batch.rows >= size:
                yield batch
                batch = CheckedBatch(0, [], [])
        if batch.rows:
            yield batch

    def check(self, row_number: int, cells: list, errors: list[RowError]) -> Candidate | None:
        """The row as stored, or None with its errors added. A row that passes the fast path needs nothing more."""
        try:
            texts = [cell.strip() for cell in self.pick(cells)] if self.pick else None
        except (AttributeError, IndexError):  # a cell that is not text (a number, a date, empty), or a short row
            texts = None
        return (texts and self._fast(row_number, texts)) or self._check_in_full(row_number, cells, errors)

    def _fast(self, row_number: int, texts: list[str]) -> Candidate | None:
        """A well-formed row in the fewest steps (a million rows take seconds less). It accepts only what
        `_check_in_full` accepts, with the same values (tested); anything unusual is left to it, with its messages.
        `texts` are the row's seven cells, stripped."""
        name, id_number, phone, union_code, joined_text, new_form, platform = texts
        if not (2 <= len(name) <= 30 and len(platform) <= 100 and WELL_FORMED_ID.fullmatch(id_number)):
            return None
        if phone and not WELL_FORMED_MOBILE.fullmatch(phone):
            return None
        birth_date = self.births.get(id_number[6:14]) or self._birth_date(id_number[6:14])
        joined_on = (self.join_dates.get(joined_text) or self._join_date(joined_text)) if joined_text else self.today
        union_id = self.unions.get(union_code)
        new_form_type = NEW_FORM_BY_LABEL.get(new_form) if new_form else ""
        if None in (birth_date, joined_on, union_id, new_form_type) or id_check_character(id_number[:17]) != id_number[17]:
            return None
        if joined_on < self.old_enough[birth_date]:
            return None
        id_index = self.id_index(id_number)
        if id_index in self.seen:
            return None
        candidate = Candidate(row_number, id_index, union_id, joined_on, new_form_type, platform, GENDER_BY_DIGIT[id_number[16]],
                              birth_date.replace(day=1), self.name_index(normalize_person_name(name)), self.seal_name(name), self.seal_id(id_number),
                              self.seal_phone(phone) if phone else "", self.phone_index(phone) if phone else None, bool(joined_text))
        self.seen[id_index] = row_number
        return candidate

    def _birth_date(self, text: str) -> dt.date | None:
        try:
            parsed = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return None
        if EARLIEST_BIRTH <= parsed <= self.today:
            self.births[text] = parsed
            self.old_enough[parsed] = _birthday(parsed, MIN_JOIN_AGE)
            return parsed
        return None

    def _join_date(self, text: str) -> dt.date | None:
        """The template's forms only (the rest, with their messages, are the full check's)."""
        if not WELL_FORMED_DATE.fullmatch(text):
            return None
        try:
            parsed = date_cell(text)
        except CellError:
            return None
        if parsed <= self.today:
            self.join_dates[text] = parsed
            return parsed
        return None

    def _check_in_full(self, row_number: int, cells: list, errors: list[RowError]) -> Candidate | None:
        count = len(cells)
        raw = [cells[index] if 0 <= index < count else None for index in self.columns]
        errors_before = len(errors)

        def bad(column: str, message: str) -> None:
            errors.append(RowError(row_number, column, message))

        def read(position: int, reader: Callable, default):
            """A cell through core.spreadsheets' one reader for its kind, or `default` with the row's error."""
            column = COLUMNS[position]
            try:
                return reader(raw[position], digits=column.digits) if column.digits is not None else reader(raw[position])
            except CellError as exc:
                bad(column.header, exc.message)
                return default

        name, new_form, platform = (_cell_text(raw[index]) for index in (0, 5, 6))
        if not 2 <= len(name) <= 30:
            bad("姓名", "请填写姓名（2到30个字）")
        parsed = None
        id_text = read(1, code_cell, None)
        if id_text is not None:
            try:
                parsed = parse_id_number(id_text.upper(), today=self.today)
            except InvalidIdentifier as exc:
                bad("身份证号", str(exc))
        phone = ""
        phone_text = read(2, code_cell, "")
        if phone_text:
            try:
                phone = normalize_mobile(phone_text)
            except InvalidIdentifier as exc:
                bad("手机号", str(exc))
        union_code = read(3, code_cell, None)
        union_id = self.unions.get(union_code) if union_code else None
        if union_id is None and union_code is not None:
            bad("所在工会编码", f"找不到工会编码“{union_code}”，或它不在您的管辖范围内" if union_code else "请填写所在工会编码")
        joined_on = read(4, date_cell, False)  # False: unreadable, and reported
        dated = joined_on is not None
        joined_on = self.today if joined_on is None else joined_on
        if joined_on and joined_on > self.today:
            bad("入会日期", "入会日期不能晚于今天")
        elif joined_on and parsed is not None:
            self._check_age(parsed.birth_date, joined_on, dated, bad)
        if len(platform) > 100:
            bad("平台企业", "平台企业名称不能超过100个字")
        if new_form and new_form not in NEW_FORM_BY_LABEL:
            bad("新就业形态", f"“{new_form}”不在可选范围内：" + "、".join(NEW_FORM_BY_LABEL))
        if len(errors) > errors_before:
            return None
        id_number = parsed.value
        id_index = self.id_index(id_number)
        if id_index in self.seen:
            bad("身份证号", f"与第 {self.seen[id_index]} 行的身份证号重复")
            return None
        self.seen[id_index] = row_number
        return Candidate(row_number, id_index, union_id, joined_on, NEW_FORM_BY_LABEL.get(new_form, ""), platform, parsed.gender,
                         parsed.birth_month, self.name_index(normalize_person_name(name)), self.seal_name(name), self.seal_id(id_number),
                         self.seal_phone(phone) if phone else "", self.phone_index(phone) if phone else None, dated)

    @staticmethod
    def _check_age(birth_date: dt.date, joined_on: dt.date, dated: bool, bad: Callable[[str, str], None]) -> None:
        """No one joins before they were born or before they may work (MIN_JOIN_AGE)."""
        born = birth_date.isoformat()
        if joined_on < birth_date:
            bad("入会日期", f"入会日期早于出生日期（身份证号中的出生日期为 {born}）")
        elif joined_on < _birthday(birth_date, MIN_JOIN_AGE):
            if dated:
                bad("入会日期", f"入会时未满{MIN_JOIN_AGE}周岁（出生于 {born}），请核对入会日期或身份证号")
            else:
                bad("身份证号", f"未满{MIN_JOIN_AGE}周岁（出生于 {born}），不能入会")


def _birthday(born: dt.date, age: int) -> dt.date:
    """The day someone born on `born` turns `age` (29 February: 1 March in other years)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return dt.date(born.year + age, 3, 1)


# ---------------------------------------------------------------- writing (in the caller's thread and transaction)


class OnFile(NamedTuple):
    """Someone already on file, as the writer needs to sort them."""

    person_id: int
    union_id: int | None = None  # None: no membership at all
    status: str | None = None
    pending_application: bool = False
    employed: bool = False  # has an Employment row (一键入会 always writes one)


class Joining(NamedTuple):
    """A row for someone on file who never held a membership: the membership is new, the person is not."""

    person_id: int
    candidate: Candidate
    employed: bool


@dataclass
class _Sorting:
    new_people: list[Candidate] = field(default_factory=list)
    joining: list[Joining] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _existing(candidates: list[Candidate]) -> dict[str, OnFile]:
    """id_index → what is on file, for the people of these rows already on file."""
    people = existing_keys(Person, "id_index", [c.id_index for c in candidates])
    if not people:
        return {}
    memberships = {person_id: (union_id, status) for person_id, union_id, status in
                   Membership.objects.filter(person_id__in=people.values()).values_list("person_id", "union_id", "status")}
    # someone on file without a membership came through 一键入会 (nothing else registers a person)
    unmembered = [pk for pk in people.values() if pk not in memberships]
    pending = set(JoinApplication.objects.filter(person_id__in=unmembered, status=ApplicationStatus.PENDING).values_list("person_id", flat=True))
    employed = set(Employment.objects.filter(person_id__in=unmembered).values_list("person_id", flat=True))
    return {index: OnFile(pk, *memberships[pk]) if pk in memberships else OnFile(pk, pending_application=pk in pending, employed=pk in employed)
            for index, pk in people.items()}


class _Writer:
    """Writes checked batches. Most batches hold only new people, so they are inserted straight away and the unique
    blind index catches anyone already on file: then the batch goes back to its savepoint and is sorted person by
    person (one index probe each), as is every later batch of that file. A sorted batch that still collides (someone
    joined through 一键入会 meanwhile) is sorted once more."""

    def __init__(self, result: MemberImportResult):
        self.result = result
        self.optimistic = True
        self.load = BulkLoad()

    def write(self, candidates: list[Candidate], *, write: bool) -> list[RowError]:
        if not write:
            return _sorted(candidates).errors  # still report members of other unions
        if self.optimistic and self._insert(_Sorting(new_people=candidates)):
            return []
        self.optimistic = False
        for _ in range(2):
            sorting = _sorted(candidates)
            if self._insert(sorting):
                return sorting.errors
        raise IntegrityError("导入时有人员被同时登记，请稍后重新导入")

    def _insert(self, sorting: _Sorting) -> bool:
        """Insert in a savepoint; False (nothing written) if a unique index refuses someone."""
        try:
            with self.load.batch():
                _insert_members(self.load, sorting.new_people, sorting.joining)
        except IntegrityError:
            return False
        self.result.created += len(sorting.new_people) + len(sorting.joining)
        self.result.unchanged += sorting.unchanged
        return True


def _sorted(candidates: list[Candidate]) -> _Sorting:
    """New people; people on file who never were members; how many are members here already; and errors for members
    elsewhere, former members and people whose 一键入会 application is still pending."""
    existing = _existing(candidates)
    sorting = _Sorting()
    for candidate in candidates:
        known = existing.get(candidate.id_index)
        if known is None:
            sorting.new_people.append(candidate)
        elif known.status is None and known.pending_application:
            # approving the application would then fail on the membership the import made: the cadre decides first
            sorting.errors.append(RowError(candidate.row, "身份证号", "该人员有待审核的入会申请，请先处理申请"))
        elif known.status is None:  # applied once (and was turned down) but never joined: joins now, as anyone new
            sorting.joining.append(Joining(known.person_id, candidate, known.employed))
        elif known.status in LIVE_STATUSES and known.union_id == candidate.union_id:
            sorting.unchanged += 1  # the same file again, or already joined here: nothing to do
        elif known.status in LIVE_STATUSES:
            union_name = Org.objects.filter(pk=known.union_id).values_list("name", flat=True).first() or ""
            sorting.errors.append(RowError(candidate.row, "身份证号", f"已是其他工会会员（{mask_org_name(union_name)}），请走会籍转接"))
        else:  # a former member: rejoining goes through 一键入会, where the person confirms it themselves
            sorting.errors.append(RowError(candidate.row, "身份证号", "此人曾是会员（已退会或已转出），请通过一键入会重新入会"))
    return sorting


def _insert_members(load: BulkLoad, people: list[Candidate], joining: list[Joining] = ()) -> None:
    """Person, Employment (if any), Membership and its first MembershipEvent for each new member, by COPY. People on
    file who join keep their Person as it is, and their Employment if they have one (what they stated themselves)."""
    now = timezone.now()
    person_ids = load.reserve_ids(Person, len(people))
    load.insert(Person, ("id", "created_at", "updated_at", "name", "name_index", "id_number", "id_index", "gender", "birth_month",
                         "phone", "phone_index", "residence_region", "education", "political_status"),
                ((pk, now, now, c.name_sealed, c.name_index, c.id_sealed, c.id_index, c.gender, c.birth_month, c.phone_sealed,
                  c.phone_index, "", "", "") for pk, c in zip(person_ids, people, strict=True)))
    members = [*zip(person_ids, people, strict=True), *((j.person_id, j.candidate) for j in joining)]
    unemployed = [*zip(person_ids, people, strict=True), *((j.person_id, j.candidate) for j in joining if not j.employed)]
    load.insert(Employment, ("created_at", "updated_at", "person_id", "employer_name", "employer_uscc", "new_form_type",
                             "platform_company"),
                ((now, now, person_id, "", "", c.new_form_type, c.platform_company)
                 for person_id, c in unemployed if c.new_form_type or c.platform_company))
    membership_ids = load.reserve_ids(Membership, len(members))
    load.insert(Membership, ("id", "created_at", "updated_at", "person_id", "union_id", "status", "joined_on", "member_number"),
                ((pk, now, now, person_id, c.union_id, MembershipStatus.ACTIVE, c.joined_on,
                  member_number_for(person_id=person_id, joined_on=c.joined_on))
                 for pk, (person_id, c) in zip(membership_ids, members, strict=True)))
    load.insert(MembershipEvent, ("membership_id", "at", "kind", "to_union_id", "status", "note"),
                ((membership_id, now, IMPORTED if c.dated else IMPORTED_UNDATED, c.union_id, MembershipStatus.ACTIVE,
                  "批量导入" if c.dated else "批量导入（未填入会日期，按导入当日登记）")
                 for membership_id, (_, c) in zip(membership_ids, members, strict=True)))


# ---------------------------------------------------------------- the service


def importable_unions(actor) -> dict[str, int]:
    """code → id of the active member-holding unions the actor may import into."""
    scope = Org.objects.restrict(actor, "members.manage") if actor is not None else Org.objects.all()
    return dict(scope.filter(type__in=MEMBER_UNION_TYPES, is_active=True).values_list("code", "pk"))


def read_and_check(data: bytes, unions: dict[str, int], today: dt.date) -> Iterator[int | CheckedBatch]:
    """The reading side of an import: first about how many rows there are, then checked and sealed batches."""
    rows, total = open_rows(data)
    header = next(rows, None)
    if header is None:
        raise ApplicationError("表格没有内容", code="members.file_empty")
    checker = _Checker(unions=unions, positions=_header_positions(header), today=today)
    yield total
    yield from checker.batches(rows)


def _org_path_concerned(actor, union_ids: set[int]) -> str:
    """Where an import's audit event belongs: the deepest org above every union its rows name (the importer's own
    scope when no row named one), so the cadres over those unions find it in their audit search."""
    paths = Org.objects.filter(pk__in=union_ids).values_list("path", flat=True) if union_ids else Membership.objects.reach(actor, "members.manage")
    return common_ancestor_path(paths or [])


def member_import(*, actor, data: bytes, mode: str = "all_or_nothing", progress: Callable[[int, int], None] | None = None) -> MemberImportResult:
    """One transaction and one audit event per file. Reading, checking and encrypting run a batch or two ahead in a
    thread while this one writes (decision 0008)."""
    if mode not in MODES:
        raise ApplicationError("导入方式不正确", code="members.import_mode")
    batches = prefetched(read_and_check, data, importable_unions(actor), timezone.localdate())
    total = next(batches)
    result = MemberImportResult(file_sha256=hashlib.sha256(data).hexdigest())
    report = progress or (lambda done, total: None)
    try:
        with quick_thread_switches(), transaction.atomic():
            writer, unions_in_file = _Writer(result), set()
            for batch in batches:
                unions_in_file.update(candidate.union_id for candidate in batch.candidates)
                result.rows += batch.rows
                result.errors.extend(batch.errors)
                # "all or nothing" keeps checking after the first bad row (to report them all) but stops writing
                result.errors.extend(writer.write(batch.candidates, write=mode == "good_rows" or not result.errors))
                report(result.rows, max(total, result.rows))
            if mode == "all_or_nothing" and result.errors:
                raise _RollBack
            audit_log(actor=actor, action="members.membership.imported_batch", org_path=_org_path_concerned(actor, unions_in_file),
                      data={"rows": result.rows, "created": result.created, "unchanged": result.unchanged,
                            "bad_rows": len({e.row for e in result.errors}), "file_sha256": result.file_sha256, "mode": mode})
    except _RollBack:
        result.created = result.unchanged = 0
    finally:
        batches.close()
    report(result.rows, result.rows)
    return result


class _RollBack(Exception):
    pass


def template_xlsx() -> bytes:
    sample = {"name": "张三", "id_number": "11010519491231002X", "phone": "13800138000", "union_code": "440106006",
              "joined_on": "2026-11-26", "new_form_type": "外卖骑手", "platform_company": "美团"}
    return write_xlsx(columns=COLUMNS, rows=[sample], sheet_name="会员导入")

