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


def error_summary(form) -> str:
    """A bound form's errors as one line, field by field in the form's order, each named by its
    label unless its message already names it ("考试日期 从：日期格式应为 yyyy-mm-dd；考试批次的选项
    无效，请重新选择"). The form-wide errors come first."""
    parts = [str(e) for e in form.non_field_errors()]
    for name, field in form.fields.items():
        label = str(field.label or name)
        for message in form.errors.get(name, []):
            message = str(message)
            parts.append(message if label in message else f"{label}：{message}")
    return "；".join(parts)


def add_application_error(form, exc) -> None:
    """Put a service's ApplicationError beside the field it names, or above the form when the
    form has no such field (the one spelling of what every view did with a refused write)."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
