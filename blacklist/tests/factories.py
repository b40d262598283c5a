"""Blacklist test data, built through the real services (as central)."""

import datetime

from django.utils import timezone

from blacklist.models import ViolationCategory
from blacklist.services import entry_create
from people.tests.factories import make_resident_id, resident_id_type

_seq = iter(range(500, 10_000))


def category(name: str = "替考") -> ViolationCategory:
    return ViolationCategory.objects.get(name=name)


def make_entry(*, central, region, person=None, id_number: str | None = None, name: str | None = None,
               category_name: str = "提供虚假材料", start: datetime.date | None = None,
               end: datetime.date | None = None, registration=None, **kwargs):
    """An entry by document (or for `person`), through entry_create."""
    if person is not None:
        id_type, id_number, name = person.id_type, person.id_number, person.name
    else:
        id_type = resident_id_type()
        id_number = id_number or make_resident_id(next(_seq), area="440106")
        name = name or "黑名单人员"
    return entry_create(
        id_type=id_type, id_number=id_number, name=name, company_name=kwargs.pop("company_name", "某通信工程有限公司"),
        region=region, category=category(category_name), penalty_start=start or timezone.localdate(),
        penalty_end=end, evidence_note=kwargs.pop("evidence_note", "监考记录显示违规"),
        registration=registration, acting_user=central, **kwargs,
    )
