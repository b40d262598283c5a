"""Masking personal data (GB/T 35273): lists, exports and logs show 110101********1234 and
138****5678; the full value is only revealed by a logged action."""

import re

PII_KEYS = {"id_number", "phone", "mobile", "id_no"}


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    if len(value) >= 10:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if len(value) > 4:
        return value[:2] + "*" * (len(value) - 4) + value[-2:]
    return "*" * len(value)


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    if len(value) > 4:
        return "*" * (len(value) - 4) + value[-4:]
    return "*" * len(value)


_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_text(text: str) -> str:
    """Mask ID numbers and mobile numbers that appear inside free text (log lines)."""
    if len(text) < 11:  # shorter than a mobile number (11 digits) or an ID number (18): nothing to mask
        return text
    text = _ID_RE.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    return _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


def mask_payload(value):
    """Return a copy of a JSON-able value with PII keys masked, recursively."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in PII_KEYS and isinstance(item, str):
                out[key] = mask_phone(item) if key in {"phone", "mobile"} else mask_id_number(item)
            else:
                out[key] = mask_payload(item)
        return out
    if isinstance(value, list | tuple):
        return [mask_payload(v) for v in value]
    if isinstance(value, str):
        return mask_text(value)
    return value
