"""The outbox's filters (短信发件箱): one definition (core.filters); the filtering itself is
sms.selectors.outbox_messages."""

from django import forms

from core.filters import FilterForm

from .message_templates import TEMPLATES
from .selectors import outbox_messages


class OutboxFilterForm(FilterForm):
    """手机号码 (the whole number) and 短信类型."""

    phone = forms.CharField(label="手机号码", max_length=11, required=False, widget=forms.TextInput(
        attrs={"type": "tel", "placeholder": "完整的 11 位手机号"}))
    template = forms.ChoiceField(label="短信类型", required=False,
                                 choices=[("", "全部")] + [(t.code, t.name) for t in TEMPLATES.values()])

    selector = staticmethod(outbox_messages)
