"""The image captcha (动态码) drawn by django-simple-captcha, tuned to be read at the first try
(docs/decisions.md#captcha): four characters from an alphabet without look-alikes, large, barely rotated, with
light noise only. The captcha stops scripts from requesting SMS codes in bulk; the lockout and
the per-number code limits (accounts.security) carry the real weight, so readability wins here."""

import random

# No 0/O/Q/D, 1/I/L/J, 2/Z, 5/S, 8/B, 6/G, U/V, C: each kept letter or digit has no twin.
CAPTCHA_ALPHABET = "AEFHKMNPRTWXY3479"
CAPTCHA_LENGTH = 4
NOISE_COLOR = "#c8d0dc"


def readable_challenge() -> tuple[str, str]:
    """(what the image shows, the expected answer); the answer is compared case-insensitively."""
    text = "".join(random.choice(CAPTCHA_ALPHABET) for _ in range(CAPTCHA_LENGTH))
    return text, text.lower()


def light_noise(draw, image):
    """Two thin pale lines across the image: enough to spoil a naive OCR, never a letter."""
    width, height = image.size
    for _ in range(2):
        y1, y2 = random.randint(0, height), random.randint(0, height)
        draw.line([(0, y1), (width, y2)], fill=NOISE_COLOR, width=max(1, height // 40))
    return draw


def letter_color(index: int, challenge: str) -> str:
    """Dark, distinct colours per letter on a white background (contrast above 7:1)."""
    return ("#1f3a93", "#8b1a1a", "#14532d", "#4a1d7a")[index % 4]
