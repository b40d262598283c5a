"""core.lookups' field__any_of on a real model: one array parameter on PostgreSQL, an IN list
elsewhere, the same rows as field__in (the import's document look-ups use it)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import IdType, Person


@pytest.mark.django_db
def test_any_of_finds_the_same_rows_as_in():
    id_type = IdType.objects.get(code=1)
    numbers = [f"P{i:07d}" for i in range(30)]
    Person.objects.bulk_create(Person(id_type=id_type, id_number=n, name="张三") for n in numbers)
    wanted = numbers[3:20] + ["NOSUCH"]
    with CaptureQueriesContext(connection) as captured:
        found = sorted(Person.objects.filter(id_number__any_of=wanted).values_list("id_number", flat=True))
    assert found == sorted(numbers[3:20])
    assert found == sorted(Person.objects.filter(id_number__in=wanted).values_list("id_number", flat=True))
    sql = captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql
    assert list(Person.objects.filter(id_number__any_of=[])) == []
