"""我的考核: a candidate sees their own exams, never anyone else's, with their details masked and
the moment until which their 管局 can still correct them."""

import pytest
from django.urls import reverse

from accounts.services import candidate_account_activate
from candidates.tests.factories import RegistrationFactory
from core.masking import mask_id_number, mask_phone
from plans.tests.factories import ExamPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(world):
    """One person in a Beijing plan 10 days ahead and a Guangdong plan that ended yesterday."""
    ahead = RegistrationFactory(plan=ExamPlanFactory(region=world.region_a, days_ahead=10), person__name="本人",
                                phone="13512345678")
    past = RegistrationFactory(plan=ExamPlanFactory(region=world.region_b, days_ahead=-1), person=ahead.person)
    user = candidate_account_activate(person=ahead.person, new_password="Kaosheng#2026")
    other = RegistrationFactory(plan=ahead.plan, person__name="别人")
    return user, ahead, past, other


def test_the_candidate_sees_only_their_own_exams(client, mine):
    user, ahead, past, other = mine
    client.force_login(user)
    body = client.get(reverse("candidates:my_registrations")).content.decode()
    assert ahead.candidate_number in body and past.candidate_number in body
    assert other.candidate_number not in body and "别人" not in body
    # newest exam first, each with its state
    assert body.index(ahead.candidate_number) < body.index(past.candidate_number)
    assert "待考试" in body and "考试已结束，成绩待发布" in body
    assert "北京市" in body and "广东省" in body


def test_details_are_masked_and_the_correction_cutoff_is_shown(client, mine):
    user, ahead, past, _ = mine
    client.force_login(user)
    body = client.get(reverse("candidates:my_registrations")).content.decode()
    person = ahead.person
    assert mask_id_number(person.id_number) in body and person.id_number not in body
    assert mask_phone(ahead.phone) in body and ahead.phone not in body
    from django.utils import timezone

    from plans.rules import roster_cutoff
    assert timezone.localtime(roster_cutoff(ahead.plan)).strftime("%Y-%m-%d %H:%M") in body
    assert body.count("（已截止）") == 1  # only the past exam


def test_a_candidate_with_no_registration_sees_an_empty_page(client, world):
    client.force_login(world.candidate)
    body = client.get(reverse("candidates:my_registrations")).content.decode()
    assert "暂无考试安排" in body


def test_the_menu_links_to_the_page(client, mine):
    client.force_login(mine[0])
    body = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("candidates:my_registrations")}"' in body and "未开放" not in body
