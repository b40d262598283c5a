"""Reads of people that other apps ask (the blacklist's 添加 checks the name a document carries)."""

from .models import Person


def person_by_document(*, id_type, id_number: str) -> Person | None:
    """The person holding this 证件类型 + 证件号码 (already normalised), or None. Not scoped: a
    person is shared by every region, and the callers show nothing of it but a mismatch."""
    return Person.objects.filter(id_type=id_type, id_number=id_number).first()
