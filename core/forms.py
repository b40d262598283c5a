"""The project's form base: Django's generic messages ("这个字段是必须的。", "输入一个有效的日期。")
become ones that name the field and, for dates, the expected format. A message a form sets
itself is left alone."""

from django import forms

_REQUIRED = str(forms.Field.default_error_messages["required"])
_INVALID_DATE = str(forms.DateField.default_error_messages["invalid"])
_INVALID_CHOICE = {str(forms.ChoiceField.default_error_messages["invalid_choice"]),
                   str(forms.ModelChoiceField.default_error_messages["invalid_choice"])}


class Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = str(field.label or "此项")
            messages = field.error_messages
            choosing = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
            if str(messages.get("required", "")) == _REQUIRED:
                messages["required"] = f"请{'选择' if choosing else '填写'}{label}"
            if isinstance(field, forms.DateField) and str(messages.get("invalid", "")) == _INVALID_DATE:
                messages["invalid"] = f"{label}格式应为 yyyy-mm-dd，例如 2026-03-09"
            if choosing and str(messages.get("invalid_choice", "")) in _INVALID_CHOICE:
                messages["invalid_choice"] = f"{label}的选项无效，请重新选择"
