from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.masking import mask_id_number, mask_payload, mask_phone, mask_text


def test_mask_id_number_keeps_first_six_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"


def test_mask_text_masks_ids_and_phones_inside_sentences():
    text = "考生 11010519491231002X 手机 13812345678 已导入"
    assert mask_text(text) == "考生 110105********002X 手机 138****5678 已导入"


def test_mask_payload_masks_known_keys_recursively():
    data = {"id_number": "11010519491231002X", "rows": [{"phone": "13812345678", "name": "张三"}]}
    assert mask_payload(data) == {"id_number": "110105********002X", "rows": [{"phone": "138****5678", "name": "张三"}]}


@settings(suppress_health_check=[HealthCheck.too_slow])  # slow regex generation under load
@given(st.from_regex(r"\A[1-9]\d{16}[\dX]\Z"))
def test_masked_id_never_shows_the_middle_digits(number):
    masked = mask_id_number(number)
    assert len(masked) == len(number)
    assert masked[6:14] == "*" * 8


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.from_regex(r"\A1[3-9]\d{9}\Z"))
def test_masked_phone_hides_four_digits(phone):
    assert mask_phone(phone)[3:7] == "****"
