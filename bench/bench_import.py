"""Importing a 5,000-row candidate file (docs/decisions.md#candidate-import), on the database DATABASE_URL names.

Figures, all measured in this run on this machine:
* floor: merely reading the file with python-calamine (no checks, no database);
* ours: candidates.importing.services.import_file into an empty plan — the whole-file checks,
  parse, the row validator (GB 11643, GB 32100, mobile, codes, dates, in-file duplicates,
  blacklist, already-registered), people and registrations written with gapless 考生编号, the
  run and its audit entry;
* re-import of the same file (all 5,000 already present);
* django-import-export importing the same file into the same tables (people keyed on the ID
  number, then registrations keyed on person + plan, with the contact details): at its
  defaults, and at its best documented settings (use_bulk=True, CachedInstanceLoader for the
  people, skip_diff=True); then re-importing at its best settings. It checks nothing of ours
  (no ID, phone or code validation, no blacklist, no gapless numbers under a lock, no audit).

Ours is the best of 3 runs (tables emptied between runs); django-import-export's defaults run
once (they take seconds). Goal: ours ≤ 1 s, re-import ≤ 0.5 s.
"""

import io
import time

import _common

N = 5000


def main():
    connection = _common.setup()
    try:
        _run(connection)
    finally:
        _common.teardown(connection)


def _run(connection):
    import python_calamine
    import tablib
    from import_export import fields, resources
    from import_export.instance_loaders import CachedInstanceLoader
    from import_export.widgets import ForeignKeyWidget

    from candidates.importing.samples import sample_rows, write_xlsx
    from candidates.importing.services import import_file
    from candidates.models import ImportRun, Registration
    from people.models import IdType, Person
    from plans.tests.factories import ExamPlanFactory
    from testing.world import make_world

    vendor = _common.db_label(connection)
    world = make_world()
    content = write_xlsx(sample_rows(N))
    path = _common.ROOT / "var" / "bench_import_5000.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)

    def empty():
        Registration.objects.all().delete()
        ImportRun.objects.all().delete()
        Person.objects.all().delete()

    def read_only():
        sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes())).get_sheet_by_index(0)
        rows = sheet.to_python()
        assert len(rows) == N + 1

    floor = _common.best_of(read_only, repeat=5)

    ours, again = [], []
    for _ in range(3):
        empty()
        plan = ExamPlanFactory(region=world.region_a)
        start = time.perf_counter()
        run = import_file(plan=plan, path=path, acting_user=world.admin_a)
        ours.append(time.perf_counter() - start)
        assert run.created_count == N and run.failed_count == 0, run.message
        start = time.perf_counter()
        run = import_file(plan=plan, path=path, acting_user=world.admin_a)
        again.append(time.perf_counter() - start)
        assert run.created_count == 0 and run.existing_count == N, run.message
    assert Registration.objects.count() == N

    # django-import-export writes one model per resource: the people (keyed by the document), then
    # the registrations (keyed by person + plan) with the contact details, as ours does; the
    # plan's columns and a 考生编号 per row are added to the dataset (its way of taking values
    # that are not in the file)
    class PersonResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        id_type = fields.Field(attribute="id_type", column_name="证件类型", widget=ForeignKeyWidget(IdType, "code"))
        id_number = fields.Field(attribute="id_number", column_name="证件号码")

        class Meta:
            model = Person
            import_id_fields = ("id_number",)
            fields = ("name", "id_type", "id_number")

    class RegistrationResource(resources.ModelResource):
        person = fields.Field(attribute="person", column_name="证件号码", widget=ForeignKeyWidget(Person, "id_number"))
        plan = fields.Field(attribute="plan_id", column_name="plan")
        candidate_number = fields.Field(attribute="candidate_number", column_name="candidate_number")
        personnel_type = fields.Field(attribute="personnel_type", column_name="人员类型")
        phone = fields.Field(attribute="phone", column_name="手机号码")
        company_name = fields.Field(attribute="company_name", column_name="企业名称")
        credit_code = fields.Field(attribute="credit_code", column_name="统一社会信用代码")
        region = fields.Field(attribute="region_id", column_name="region")
        exam_type = fields.Field(attribute="exam_type", column_name="exam_type")
        exam_year = fields.Field(attribute="exam_year", column_name="exam_year")

        class Meta:
            model = Registration
            import_id_fields = ("person", "plan")
            fields = ("person", "plan", "candidate_number", "personnel_type", "phone", "company_name", "credit_code",
                      "region", "exam_type", "exam_year")

    class BestPersonResource(PersonResource):
        class Meta(PersonResource.Meta):
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            instance_loader_class = CachedInstanceLoader

    class BestRegistrationResource(RegistrationResource):
        class Meta(RegistrationResource.Meta):
            use_bulk = True
            batch_size = 1000
            skip_diff = True

    def their_import(person_class, registration_class, plan):
        dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
        result = person_class().import_data(dataset, dry_run=False, raise_errors=True)
        assert not result.has_errors()
        n = len(dataset)
        dataset.append_col([plan.pk] * n, header="plan")
        dataset.append_col([f"{plan.batch_no}{i + 1:05d}" for i in range(n)], header="candidate_number")
        dataset.append_col([plan.region_id] * n, header="region")
        dataset.append_col([plan.exam_type] * n, header="exam_type")
        dataset.append_col([plan.exam_date.year] * n, header="exam_year")
        result = registration_class().import_data(dataset, dry_run=False, raise_errors=True)
        assert not result.has_errors()

    empty()
    plan = ExamPlanFactory(region=world.region_a)
    start = time.perf_counter()
    their_import(PersonResource, RegistrationResource, plan)
    theirs_default = time.perf_counter() - start
    assert Person.objects.count() == N and Registration.objects.count() == N

    theirs_best, theirs_again = [], []
    for _ in range(2):
        empty()
        plan = ExamPlanFactory(region=world.region_a)
        start = time.perf_counter()
        their_import(BestPersonResource, BestRegistrationResource, plan)
        theirs_best.append(time.perf_counter() - start)
        start = time.perf_counter()
        their_import(BestPersonResource, BestRegistrationResource, plan)
        theirs_again.append(time.perf_counter() - start)
    assert Person.objects.count() == N and Registration.objects.count() == N

    ours_s, again_s = min(ours), min(again)
    report = _common.report
    report(f"import {N} rows into an empty plan [{vendor}]", ours_s, "s", floor)
    report(f"re-import {N} rows, all existing [{vendor}]", again_s, "s", floor)
    report(f"django-import-export defaults, {N} rows [{vendor}]", theirs_default, "s", floor)
    report(f"django-import-export best (use_bulk + CachedInstanceLoader), {N} rows [{vendor}]", min(theirs_best), "s",
           floor)
    report(f"django-import-export best, re-import {N} rows [{vendor}]", min(theirs_again), "s", floor)
    # ratio < 1: ours takes that fraction of theirs
    report(f"ours vs django-import-export defaults [{vendor}]", ours_s, "s", theirs_default)
    report(f"ours vs django-import-export best [{vendor}]", ours_s, "s", min(theirs_best))
    report(f"re-import: ours vs django-import-export best [{vendor}]", again_s, "s", min(theirs_again))


if __name__ == "__main__":
    main()
