"""The image captcha (动态码) is readable at the first try (docs/decisions.md#captcha)."""

import io
import re

import pytest
from captcha.models import CaptchaStore
from django.urls import reverse
from PIL import Image

from accounts.captcha import CAPTCHA_ALPHABET, readable_challenge
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

# Pairs a reader confuses, in either case; the alphabet keeps neither member of any pair.
LOOK_ALIKES = ["0O", "0Q", "0D", "1I", "1L", "1J", "2Z", "5S", "8B", "6G", "UV", "CG", "9G"]


def test_the_alphabet_has_no_look_alikes():
    for pair in LOOK_ALIKES:
        assert not set(pair) <= set(CAPTCHA_ALPHABET), pair
    assert not set("01258OISZBQDLJG") & set(CAPTCHA_ALPHABET)
    for _ in range(200):
        shown, answer = readable_challenge()
        assert len(shown) == 4 and set(shown) <= set(CAPTCHA_ALPHABET) and answer == shown.lower()


def test_the_image_is_large_enough_to_read(client):
    store = CaptchaStore.objects.get(hashkey=CaptchaStore.generate_key())
    assert set(store.challenge) <= set(CAPTCHA_ALPHABET)
    response = client.get(reverse("captcha-image", args=[store.hashkey]))
    image = Image.open(io.BytesIO(response.content))
    assert image.size[0] >= 140 and image.size[1] >= 48  # was 76×29


def test_the_answer_is_accepted_in_lower_case(settings):
    settings.CAPTCHA_TEST_MODE = False
    from accounts.forms import CandidateActivationStartForm

    store = CaptchaStore.objects.get(hashkey=CaptchaStore.generate_key())
    person = PersonFactory()
    form = CandidateActivationStartForm({"id_type": person.id_type.pk, "id_number": person.id_number,
                                         "captcha_0": store.hashkey, "captcha_1": store.challenge.lower()})
    assert form.is_valid(), form.errors


def _login(client, person, *, password, captcha):
    return client.post(reverse("accounts:candidate_login"), {
        "id_type": person.id_type.pk, "id_number": person.id_number, "password": password,
        "captcha_0": "k", "captcha_1": captcha})


def _password_value(html: str) -> str | None:
    tag = re.search(r'<input[^>]*name="password"[^>]*>', html).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else None


def test_a_wrong_captcha_keeps_the_typed_password_on_candidate_login(client):
    person = PersonFactory()
    html = _login(client, person, password="Kaosheng#2026", captcha="WRONG").content.decode()
    assert "动态码不正确" in html
    assert _password_value(html) == "Kaosheng#2026"
    assert person.id_number in html  # the identity stays as before


def test_a_wrong_password_is_not_echoed_back(client):
    person = PersonFactory()
    html = _login(client, person, password="Nicht#2026pass", captcha="PASSED").content.decode()
    assert "Nicht#2026pass" not in html and _password_value(html) is None


def test_a_wrong_captcha_keeps_the_password_on_admin_login_without_htmx(client, world):
    from testing.world import TEST_PASSWORD

    html = client.post(reverse("accounts:login"), {
        "action": "send_code", "username": world.admin_a.username, "password": TEST_PASSWORD,
        "captcha_0": "k", "captcha_1": "WRONG"}).content.decode()
    assert "动态码不正确" in html and _password_value(html) == TEST_PASSWORD
