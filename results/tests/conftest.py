import pytest

from review.tests.conftest import built, exam_bank, fixed_paper_seeds  # noqa: F401  (shared fixtures)


@pytest.fixture
def published(world, built):  # noqa: F811
    """The built plan checked: the copier's violation (score voided, blacklisted), the others
    normal, one more candidate absent (缺考), published."""
    from candidates.tests.factories import RegistrationFactory
    from exams.services import attempt_close_if_overdue, attempt_for
    from review import services
    from review.tests.test_services import decide, decide_all_flagged

    absent = RegistrationFactory(plan=built.plan, personnel_type="B", person__name="缺考人")
    attempt_close_if_overdue(attempt_for(absent))
    review = services.review_start(plan=built.plan, acting_user=world.central)
    decide(review, built.copier, world.central)
    decide_all_flagged(review, world.central)
    services.review_publish(plan=built.plan, acting_user=world.central)
    built.absent = absent
    return built
