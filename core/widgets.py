"""Form widgets shared by the apps."""

from django import forms


class YmdDateInput(forms.DateInput):
    """A date typed as yyyy-mm-dd, the system's one date format. Not the browser's native date
    picker: that shows the browser's locale (mm/dd/yyyy in an English one, yyyy/mm/dd in a
    Chinese one), so the same date would read differently on different machines."""

    def __init__(self, attrs=None):
        base = {"placeholder": "yyyy-mm-dd", "inputmode": "numeric", "maxlength": "10", "autocomplete": "off",
                "pattern": r"\d{4}-\d{2}-\d{2}", "title": "格式 yyyy-mm-dd，例如 2026-03-09", "class": "date"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%Y-%m-%d")
