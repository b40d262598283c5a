"""Reads of the exam engine."""

import pytest

from exams.selectors import exam_page_data, saved_answers
from exams.services import answers_save, attempt_open_session, attempt_start
from papers.selectors import answer_key, candidate_payload, paper_for_registration

pytestmark = pytest.mark.django_db


def test_loading_a_started_exam_takes_two_queries(django_assert_num_queries, world, registration):
    """docs/decisions.md#exam-page-queries: the exam page of a started attempt reads its paper, the saved answers and
    the question texts in at most two queries, whatever the number of answers."""
    attempt = attempt_start(registration=registration, acting_user=world.candidate)
    token = attempt_open_session(attempt=attempt)
    key = answer_key(paper_for_registration(registration))
    answers_save(attempt=attempt, token=token, acting_user=world.candidate,
                 raw_items=[{"position": e.position, "answer": e.displayed, "seq": 10 + e.position} for e in key[:5]])
    with django_assert_num_queries(2):
        payload, saved = exam_page_data(attempt)
    assert saved == saved_answers(attempt) and len(saved) == 5
    assert saved[1] == {"answer": key[0].displayed, "seq": 11}
    assert payload == candidate_payload(paper_for_registration(registration))


def test_a_started_exam_without_answers(django_assert_num_queries, world, registration):
    attempt = attempt_start(registration=registration, acting_user=world.candidate)
    with django_assert_num_queries(2):
        payload, saved = exam_page_data(attempt)
    assert saved == {} and payload["question_count"] == len(paper_for_registration(registration).items)
