"""Reads of candidate information (学员考核信息管理, SPEC.md §4).

Every query starts from Registration.objects.visible_to(user): central sees every region, a
regional administrator only its own (core.scoping). `registration_list` is the ONE filter used
by the list page and by every export, so an exported file holds exactly the rows of the
filtered screen, across all its pages and in the same order (docs/decisions.md#list-export)."""

import datetime

from django.db.models import QuerySet

from audit.selectors import audit_log_list
from core.scoping import get_visible_or_404
from people.validation import normalize_id_number
from plans.models import ExamPlan

from .exports import EXPORT_FIELDS  # the list's columns, in the guide's order (三): exports.LIST_COLUMNS
from .models import Registration

# Sort keys of the list's columns → ORDER BY. 考生编号 is unique, so every order is total (the
# same row never moves between pages or between the screen and the file). 考生编号 begins with
# the 批次编号 (SPEC.md §3), so the 考试批次 column sorts by it too.
SORTS: dict[str, tuple[str, ...]] = {
    "candidate_number": ("candidate_number",),
    "name": ("person__name", "candidate_number"),
    "id_number": ("person__id_number", "candidate_number"),
    "company": ("company_name", "candidate_number"),
    "exam_type": ("exam_type", "candidate_number"),
    "personnel_type": ("personnel_type", "candidate_number"),
}
SORT_KEYS = tuple(SORTS)
DEFAULT_SORT = "candidate_number"


def order_for(sort: str | None) -> tuple[str, ...]:
    sort = sort or DEFAULT_SORT
    descending = sort.startswith("-")
    fields = SORTS.get(sort.lstrip("-"), SORTS[DEFAULT_SORT])
    return tuple(f"-{f}" for f in fields) if descending else fields


def registration_list(*, filters: dict, fetched_by) -> QuerySet:
    """The candidate list as `fetched_by` may see it, filtered and ordered.

    Filters (the guide 三): 姓名 (begins with), 证件号码 (the whole number), 人员类型/报考类型, 企业名称 (contains), 考试计划类型, 年份, 考试批次, and 地区 (central),
    as candidates.forms.CandidateFilterForm cleans them (an invalid query string reads nothing)."""
    qs = Registration.objects.visible_to(fetched_by)
    if filters.get("name"):
        qs = qs.filter(person__name__startswith=filters["name"].strip())
    if filters.get("id_number"):
        # the whole number only: a prefix search over the digits the list masks would let anyone
        # recover them one digit at a time, unlogged (and a 6-digit area prefix is a slow, useless
        # filter over a region's whole roster)
        qs = qs.filter(person__id_number=normalize_id_number(filters["id_number"]))
    if filters.get("personnel_type"):
        qs = qs.filter(personnel_type=filters["personnel_type"])
    if filters.get("company_name"):
        # contains (not icontains): Chinese has no case, and PostgreSQL's trigram index serves LIKE
        qs = qs.filter(company_name__contains=filters["company_name"].strip())
    if filters.get("exam_type"):
        qs = qs.filter(exam_type=filters["exam_type"])
    if filters.get("exam_year"):
        qs = qs.filter(exam_year=filters["exam_year"])
    if filters.get("plan"):
        qs = qs.filter(plan=filters["plan"])
    if filters.get("region"):
        qs = qs.filter(region=filters["region"])
    return qs.order_by(*order_for(filters.get("sort")))


def registration_rows(qs: QuerySet) -> QuerySet:
    """The list's queryset with what its columns show, in one query: the person, the document
    type, the plan, and `suspended_until`, the last day of the person's running blacklist
    penalty (停考, see registration_suspension) or None."""
    from blacklist.selectors import running_penalty_end_subquery

    return qs.select_related("person", "person__id_type", "plan").annotate(suspended_until=running_penalty_end_subquery(
        id_type_ref="person__id_type_id", id_number_ref="person__id_number"))


def registration_page_rows(qs: QuerySet, *, fetched_by, total: int, estimated: bool):
    """The list `qs` (registration_list) for paging keys first (core.pagination.KeysFirst):
    each page selects the keys of its rows with the filters and the order alone, then shapes
    just those rows (registration_rows, under the caller's scope again). The same rows in the
    same order as `registration_rows(qs)` (every order ends with the unique 考生编号).

    `total`, `estimated`: registration_count's. When the list was counted exactly at no more
    than EXACT_COUNT_LIMIT rows, the keys are ordered from that bounded set (the filtered keys, LIMIT EXACT_COUNT_LIMIT + 1),
    not found by walking an index in the list's order: when the filters leave a few rows of a
    region (姓名 begins with …), PostgreSQL would otherwise walk the whole roster in 考生编号
    order looking for them (0.5 s at a million rows; bench_candidates.py). A longer list is
    dense enough for the index walk to stop early. (Rows added between the count and the page
    beyond the limit would be left out of that one page, never rows of another scope.)

    A longer list filtered by 企业名称 (contains) is paged by a bounded probe first
    (docs/decisions.md#list-contains-probe): the planner's guess of how many rows a LIKE '%…%' matches
    is a sample's lottery, and a low one makes it sort every match instead of walking."""
    from core.pagination import KeysFirst

    order = qs.query.order_by
    if not estimated and total == 0:
        def keys(start, stop):  # counted: nothing to list
            return []
    elif not estimated and total <= EXACT_COUNT_LIMIT:
        keys = _bounded_keys(qs, order)
    elif (split := _contains_split(qs)) is not None:
        keys = _probed_keys(qs, order, *split)
    else:
        def keys(start, stop):
            return list(qs.order_by(*order).values_list("pk", flat=True)[start:stop])

    def shape(pks):
        return registration_rows(Registration.objects.visible_to(fetched_by).filter(pk__in=pks)).order_by()

    return KeysFirst(keys=keys, shape=shape, count=qs.count)


def _sort_aliases(qs: QuerySet, order) -> tuple[dict, str]:
    """The sort values of `order` under aliases ({"sort_0": F(...), ...}) and the ORDER BY over
    those aliases with the list's directions, so that an outer statement sorts the same columns,
    collations and directions as the list."""
    from django.db import connections
    from django.db.models import F

    aliases = {f"sort_{i}": F(o.lstrip("-")) for i, o in enumerate(order)}
    quote = connections[qs.db].ops.quote_name
    by = ", ".join(f"{quote(alias)}{' DESC' if o.startswith('-') else ''}" for alias, o in zip(aliases, order,
                                                                                             strict=True))
    return aliases, by


def _limit(start, stop) -> str:
    return ("" if stop is None else f" LIMIT {int(stop) - int(start)}") + f" OFFSET {int(start)}"


def _bounded_keys(qs: QuerySet, order, *, capped: bool = True):
    """keys(start, stop) of a list known to hold at most EXACT_COUNT_LIMIT rows: the filtered
    rows' keys and sort values (LIMIT EXACT_COUNT_LIMIT + 1, no order), ordered outside, so
    that the filters' own indexes find them (see registration_page_rows). The sort values are
    selected under aliases, so the outer ORDER BY sorts the same columns, collations and
    directions as the list. `capped=False`: every filtered row, behind an OFFSET 0 fence on
    PostgreSQL (the same: the filters' own indexes, not a walk in the list's order)."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    aliases, by = _sort_aliases(qs, order)
    inner = qs.order_by().annotate(**aliases).values("pk", *aliases)
    if capped:
        inner = inner[: EXACT_COUNT_LIMIT + 1]
    connection = connections[qs.db]
    quote = connection.ops.quote_name
    fence = " OFFSET 0" if not capped and connection.vendor == "postgresql" else ""

    def keys(start, stop):
        try:
            sql, params = inner.query.sql_with_params()
        except EmptyResultSet:  # qs.none(): an invalid filter lists nothing
            return []
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote('pk')} FROM ({sql}{fence}) bounded ORDER BY {by}{_limit(start, stop)}",
                           params)
            return [row[0] for row in cursor.fetchall()]

    return keys


# How many rows of the list without its 企业名称 filter the probe walks in the list's order
# (docs/decisions.md#list-contains-probe): at least this many, or PROBE_PAGES times the page's end.
PROBE_ROWS = 5_000
PROBE_PAGES = 5


def _contains_split(qs: QuerySet):
    """(the list without its 企业名称 contains filter, that filter's lookup), or None when `qs`
    has no such filter among the conditions it ANDs (registration_list adds each filter so)."""
    from django.db.models.lookups import Contains

    where = qs.query.where
    if where.connector != "AND" or where.negated:
        return None
    field = Registration._meta.get_field("company_name")
    for i, child in enumerate(where.children):
        if isinstance(child, Contains) and getattr(child.lhs, "target", None) == field:
            rest = qs.all()  # a clone: its own list of conditions
            del rest.query.where.children[i]
            return rest, child
    return None


def _probed_keys(qs: QuerySet, order, rest: QuerySet, contains):
    """keys(start, stop) of a long list filtered by 企业名称 contains (docs/decisions.md#list-contains-probe).

    The probe: the first K rows of the list without that filter, in the list's order (the
    index walk of the unfiltered list, stopped by LIMIT K), the filter applied to them, then
    sorted and sliced. When it yields the whole slice, the slice is exact: every matching row
    after those K rows comes after every matching row among them. Otherwise (the matches are
    rare or late in the order, or the slice is deep) the filtered rows are found by their own
    index (the trigram index on PostgreSQL) and sorted (_bounded_keys, not capped)."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    aliases, by = _sort_aliases(qs, order)
    connection = connections[qs.db]
    quote = connection.ops.quote_name
    table = quote(Registration._meta.db_table)
    fallback = _bounded_keys(qs, order, capped=False)

    def keys(start, stop):
        if stop is None:
            return fallback(start, stop)
        walk = max(PROBE_ROWS, PROBE_PAGES * int(stop))
        inner = rest.order_by(*order).annotate(**aliases).values("pk", "company_name", *aliases)[:walk]
        try:
            sql, params = inner.query.sql_with_params()
            # the filter's own SQL, over the probe's columns (named as the table's: the probe is
            # aliased as the table, so the compiled column reference reads the probe's)
            match_sql, match_params = contains.as_sql(inner.query.get_compiler(qs.db), connection)
        except EmptyResultSet:
            return []
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote('pk')} FROM ({sql}) {table} WHERE {match_sql} ORDER BY {by}"
                           f"{_limit(start, stop)}", (*params, *match_params))
            found = [row[0] for row in cursor.fetchall()]
        if len(found) == int(stop) - int(start):
            return found
        return fallback(start, stop)

    return keys


def registration_export_values(qs: QuerySet) -> QuerySet:
    """The same rows as `qs`, as tuples of EXPORT_FIELDS (no model instances: 100,000 rows in
    well under a second and little memory)."""
    from blacklist.selectors import running_penalty_end_subquery

    return qs.annotate(suspended_until=running_penalty_end_subquery(
        id_type_ref="person__id_type_id", id_number_ref="person__id_number")).values_list(*EXPORT_FIELDS)


# --------------------------------------------------------------------------- 停考 (docs/decisions.md#suspension-derived)

SUSPENDED_LABEL = "停考"


def registration_suspension(registrations, *, on_date: datetime.date | None = None) -> dict[int, datetime.date]:
    """{registration pk: last day of the running penalty} for the registrations whose person is
    under a running blacklist penalty on `on_date` (default today): such a registration is 停考 —
    marked on the roster, the candidate page, 我的考核 and the export, sent no notices, and not
    allowed to start the exam. Derived from the blacklist on every call (penalty_ends_for_many),
    never copied, so a revoked or ended penalty lifts it at once. The exam engine calls this (or
    is_suspended) when a candidate asks to start."""
    from blacklist.selectors import penalty_ends_for_many

    registrations = list(registrations)
    keys = {reg.pk: (reg.person.id_type_id, reg.person.id_number) for reg in registrations}
    ends = penalty_ends_for_many(keys.values(), on_date=on_date)
    return {pk: ends[key] for pk, key in keys.items() if key in ends}


def is_suspended(registration: Registration, *, on_date: datetime.date | None = None) -> bool:
    """Whether this registration is 停考 (see registration_suspension)."""
    return registration.pk in registration_suspension([registration], on_date=on_date)


def registration_get(*, pk: int, fetched_by) -> Registration:
    """One registration the caller may see; anything else is 404 (absent or out of scope)."""
    return get_visible_or_404(registration_rows(Registration.objects.all()), fetched_by, pk=pk)


def registrations_visible(*, fetched_by) -> QuerySet:
    """The registrations the caller sees, with their person, 证件类型, plan and region: the base
    another app narrows (the blacklist's 冲突名单)."""
    return Registration.objects.visible_to(fetched_by).select_related("person__id_type", "plan", "region")


def registration_lookup(*, query: str, fetched_by, limit: int = 50) -> list[Registration]:
    """The registrations the caller sees whose 考生编号 or 证件号码 is exactly `query`, newest exam
    first (the blacklist's 从报名添加 looks a candidate up this way)."""
    from django.db.models import Q

    query = (query or "").strip()
    if not query:
        return []
    number = normalize_id_number(query)
    return list(
        registrations_visible(fetched_by=fetched_by)
        .filter(Q(candidate_number=query) | Q(person__id_number=number))
        .order_by("-plan__exam_date", "candidate_number")[:limit]
    )


def earliest_registration_phone(*, person) -> str:
    """The phone of the person's earliest registration, or "" (where a candidate's codes go before
    the account has a verified phone: accounts.services.candidate_code_phone). Not scoped: the
    candidate signing in is not yet anyone's user."""
    return (Registration.objects.filter(person=person).order_by("created_at", "pk")
            .values_list("phone", flat=True).first() or "")


def visible_plan_rows(*, fetched_by) -> list[tuple[int, str, datetime.date, int, str]]:
    """The plans the caller can see as (pk, 批次编号, exam date, region id, 考试计划类型), newest
    exam first: one query from which the list's filter form takes both its 年份 choices and its
    考试批次 options (registration_years, plan_filter_choices), instead of two."""
    return list(ExamPlan.objects.visible_to(fetched_by).order_by("-exam_date", "-id")
                .values_list("pk", "batch_no", "exam_date", "region_id", "exam_type"))


def registration_years(*, fetched_by, plan_rows: list | None = None) -> list[int]:
    """The 年份 choices: years of the plans the caller can see (plans, not the million rows);
    from `plan_rows` (visible_plan_rows) when the caller has them."""
    if plan_rows is not None:
        return sorted({day.year for _, _, day, _, _ in plan_rows if day}, reverse=True)
    dates = ExamPlan.objects.visible_to(fetched_by).dates("exam_date", "year", order="DESC")
    return [d.year for d in dates]


def plan_filter_choices(*, fetched_by, region=None, exam_year: int | None = None, exam_type: str | None = None,
                        selected=None, plans=None, plan_rows: list | None = None
                        ) -> list[tuple[int, str, datetime.date]]:
    """The 考试批次 select's options as (pk, 批次编号, exam date), newest exam first: the plans the
    caller can see, narrowed to the 地区 / 年份 / 考试计划类型 chosen in the same search (a plan
    outside them would list no rows), plus the selected plan whatever they say. One query over
    the plans table, values only: central's select holds every plan of the country (bench:
    bench_candidates.py). `plans` narrows the choosable plans further (a form that offers fewer,
    e.g. 成绩管理's published ones for a region); it is itself scoped to the caller. With
    `plan_rows` (visible_plan_rows of the same caller) the narrowing is done on them, no query."""
    from django.db.models import Q

    if plan_rows is not None and plans is None:
        region_id = getattr(region, "pk", region)
        selected_id = getattr(selected, "pk", selected)
        narrowed = bool(region or exam_year or exam_type)
        return [(pk, batch, day) for pk, batch, day, plan_region, plan_type in plan_rows
                if not narrowed or (selected_id is not None and pk == selected_id)
                or ((not region or plan_region == region_id) and (not exam_year or (day and day.year == exam_year))
                    and (not exam_type or plan_type == exam_type))]

    qs = ExamPlan.objects.visible_to(fetched_by)
    if plans is not None:
        qs = qs.filter(pk__in=plans.values("pk"))
    narrow = Q()
    if region:
        narrow &= Q(region=region)
    if exam_year:
        narrow &= Q(exam_date__year=exam_year)
    if exam_type:
        narrow &= Q(exam_type=exam_type)
    if narrow and selected:
        narrow |= Q(pk=getattr(selected, "pk", selected))
    return list(qs.filter(narrow).order_by("-exam_date", "-id").values_list("pk", "batch_no", "exam_date"))


def plan_for_roster(*, plan_id: int, fetched_by) -> ExamPlan:
    """A plan whose roster the caller may manage (own region, or central): else 404."""
    return get_visible_or_404(ExamPlan.objects.select_related("region"), fetched_by, pk=plan_id)


def registration_history(*, registration: Registration, fetched_by):
    """The registration's audit trail (add, changes with before/after, reveals, deletion), and
    the changes to its person written by any region or central (docs/decisions.md#registration-contact)."""
    from django.db.models import Q

    own = audit_log_list(filters={}, fetched_by=fetched_by)
    return own.filter(
        Q(object_type=Registration._meta.label, object_id=str(registration.pk))
        | Q(object_type="people.Person", object_id=str(registration.person_id))
    ).order_by("created_at", "id")


def plan_notice_recipients(*, plan: ExamPlan, audience: str = "all") -> QuerySet:
    """Every registration of the plan with the phone to text, in 考生编号 order; audience
    "pretest_pending": only those who have not passed the 考前测试 (exams.pretest_selectors)."""
    qs = Registration.objects.filter(plan=plan).select_related("person").order_by("candidate_number")
    if audience == "pretest_pending":
        from exams.pretest_selectors import passed_registration_ids

        qs = qs.exclude(pk__in=passed_registration_ids(plan))
    return qs


# Up to this many rows the list's total is counted exactly; above it, counting every row of a
# million-row table costs more than the page's whole 50 ms budget (docs/decisions.md#list-scale), so the total is
# the planner's estimate and the page says so ("约 … 条（估算）").
EXACT_COUNT_LIMIT = 10_000


def registration_count_estimate(qs: QuerySet, *, compiled: tuple | None = None) -> int | None:
    """The planner's estimate of the rows of `qs` (PostgreSQL's EXPLAIN over the statistics of
    ANALYZE / pg_class), or None where the database has no such estimate (SQLite). `compiled`:
    the (sql, params) of `qs.order_by().values("pk")` when the caller has it already."""
    from django.db import connections

    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = compiled or qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def registration_count(qs: QuerySet, *, exact_limit: int | None = None) -> tuple[int, bool]:
    """(total, estimated) of the filtered list. Counts at most `exact_limit` + 1 rows (a LIMIT
    subquery): at or under the limit the total is exact; over it, the planner's estimate (never
    below the limit + 1, which is known), flagged so the page labels it 约 … (估算). Without a
    planner estimate the count is exact whatever its size. The keys' statement is compiled
    once for the capped count and the estimate (the page is on a 50 ms budget)."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    limit = EXACT_COUNT_LIMIT if exact_limit is None else exact_limit
    try:
        sql, params = qs.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # qs.none()
        return 0, False
    with connections[qs.db].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql} LIMIT {int(limit) + 1}) capped", params)
        capped = cursor.fetchone()[0]
    if capped <= limit:
        return capped, False
    estimate = registration_count_estimate(qs, compiled=(sql, params))
    if estimate is None:
        return qs.count(), False
    return max(estimate, limit + 1), True


def own_registrations(*, fetched_by) -> QuerySet:
    """我的考核: a candidate's own registrations (core.scoping: person__user is the caller), the
    newest exam first."""
    return (Registration.objects.visible_to(fetched_by).select_related("plan", "region", "person", "person__id_type")
            .order_by("-plan__starts_at", "-pk"))
