"""Blacklist reads at a realistic national size (20,000 entries, 20,000 registrations):

* penalty_ends_for_many for a 5,000-row import file against the floor of fetching the same
  documents' rows by the indexed id_number alone (no date filter, no aggregation);
* a region's first list page (visible_to: own region OR a registration of the person in the
  region, + count for the pager) against the floor of central's unscoped first page."""

import datetime
import random

import _common

ENTRIES = 20_000
KEYS = 5_000


def main():
    connection = _common.setup()
    try:
        from django.utils import timezone
        from stdnum.cn import ric

        from accounts.models import User
        from blacklist.models import BlacklistEntry, ViolationCategory
        from blacklist.selectors import entry_list, penalty_ends_for_many
        from candidates.models import Registration
        from core.roles import Role
        from people.models import IdType, Person
        from plans.tests.factories import ExamPlanFactory
        from regions.models import Region

        rnd = random.Random(7)
        id_type = IdType.objects.get(code=1)
        regions = list(Region.objects.all())
        region_b = Region.objects.get(code="44")
        central = User.objects.create_user("bench_c", "Bench@2026x", role=Role.CENTRAL)
        admin_b = User.objects.create_user("bench_b", "Bench@2026x", role=Role.REGIONAL, region=region_b)
        categories = list(ViolationCategory.objects.all())
        today = timezone.localdate()

        def number(i):
            birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=i // 999)
            body = f"110105{birth:%Y%m%d}{i % 999 + 1:03d}"
            return body + ric.calc_check_digit(body + "0")

        numbers = [number(i) for i in range(ENTRIES * 2)]
        entries = []
        for i in range(ENTRIES):
            start = today - datetime.timedelta(days=rnd.randint(0, 2000))
            entries.append(BlacklistEntry(
                id_type=id_type, id_number=numbers[i], name=f"人员{i}", company_name="公司",
                region=rnd.choice(regions), category=rnd.choice(categories), penalty_start=start,
                penalty_end=start + datetime.timedelta(days=rnd.choice([180, 365, 1095])),
                evidence_note="bench", created_by=central))
        BlacklistEntry.objects.bulk_create(entries, batch_size=2000)
        # 20,000 people (half of them blacklisted) registered in region B's plans
        people = Person.objects.bulk_create(
            [Person(id_type=id_type, id_number=numbers[i], name=f"人员{i}")
             for i in range(0, ENTRIES * 2, 2)], batch_size=2000)
        plans = [ExamPlanFactory(region=region_b, applicant=admin_b) for _ in range(4)]
        Registration.objects.bulk_create(
            [Registration(person=p, plan=plans[k % 4], candidate_number=f"B{k:08d}", personnel_type="A",
                          region=region_b, exam_type=plans[k % 4].exam_type, exam_year=plans[k % 4].exam_date.year)
             for k, p in enumerate(people)], batch_size=2000)

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # what autovacuum does after a bulk load
                cursor.execute("ANALYZE")

        keys = [(id_type.pk, numbers[rnd.randrange(ENTRIES * 2)]) for _ in range(KEYS)]
        chunks = sorted({n for _, n in keys})

        def service():
            penalty_ends_for_many(keys)

        def floor():
            for s in range(0, len(chunks), 900):
                list(BlacklistEntry.objects.filter(id_number__in=chunks[s:s + 900]).values_list("id_type_id", "id_number"))

        vendor = _common.db_label(connection)
        floor_s = _common.best_of(floor, 5)
        service_s = _common.best_of(service, 5)
        _common.report(f"penalty_ends_for_many {KEYS} keys [{vendor}]", service_s * 1e3, "ms", floor_s * 1e3)

        def page(user):
            qs = entry_list(filters={}, fetched_by=user)
            qs.count()
            list(qs[:20])

        floor_s = _common.best_of(lambda: page(central), 5)
        region_s = _common.best_of(lambda: page(admin_b), 5)
        _common.report(f"blacklist first page, region via visible_to [{vendor}]", region_s * 1e3, "ms", floor_s * 1e3)
    finally:
        _common.teardown(connection)


if __name__ == "__main__":
    main()
