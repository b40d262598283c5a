from django import forms

from core.forms import Form
from core.widgets import YmdDateInput

from .choices import ExamType


class DurationSelect(forms.Select):
    """考核类型 dropdown whose options carry the type's duration (data-duration), so that
    plan_form.js fills 结束时间 while the user types; the server computes it again."""

    def __init__(self, *args, durations: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.durations = durations or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.durations:
            option["attrs"]["data-duration"] = str(self.durations[str(value)])
        return option


class PlanForm(Form):
    """添加 / 修改 (the guide 二(一)): 考核类型, 考核日期, 开始时间; 结束时间 is shown, not submitted."""

    exam_type = forms.ChoiceField(label="考核类型", choices=[("", "请选择")] + list(ExamType.choices))
    exam_date = forms.DateField(label="考核日期", widget=YmdDateInput())
    # A text field, not <input type=time>: browsers show that one as 12-hour in some locales.
    start_time = forms.TimeField(
        label="开始时间", input_formats=["%H:%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"placeholder": "HH:MM，如 09:30", "maxlength": 5,
                                                      "inputmode": "numeric", "autocomplete": "off"}),
        help_text="24 小时制",
    )
    end_time = forms.CharField(
        label="结束时间", required=False, disabled=True,
        widget=forms.TextInput(attrs={"readonly": True, "data-end-time": "", "placeholder": "根据考核类型自动生成"}),
        help_text="由开始时间和考核类型的时长自动计算",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, durations: dict, with_reason: bool = False, **kwargs):
        # ids of their own: the list's search form underneath has an exam_type field too
        kwargs.setdefault("auto_id", "plan_%s")
        super().__init__(*args, **kwargs)
        self.fields["exam_type"].widget = DurationSelect(choices=self.fields["exam_type"].choices, durations=durations)
        self.fields["exam_type"].error_messages["required"] = "请选择考核类型"
        self.fields["exam_date"].error_messages.update(required="请填写考核日期", invalid="考核日期格式应为 yyyy-mm-dd")
        self.fields["start_time"].error_messages.update(required="请填写开始时间", invalid="开始时间格式应为 HH:MM（24 小时制）")
        if with_reason:
            self.fields["reason"] = forms.CharField(
                label="修改原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": "部中心修改计划时必须填写修改原因"},
                help_text="记入审计日志，管局可在计划详情中看到",
            )


class ReviewForm(Form):
    """审核: 审核通过 or 审核不通过 with a note; carries the version central saw."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "review_%s")
        super().__init__(*args, **kwargs)

    note = forms.CharField(label="审核说明", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="审核不通过时必填")
    version = forms.IntegerField(widget=forms.HiddenInput)


class DeleteForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, with_reason: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "delete_%s")
        super().__init__(*args, **kwargs)
        if with_reason:
            self.fields["reason"] = forms.CharField(
                label="删除原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": "请填写删除原因"},
            )


class DurationSettingsForm(Form):
    """Central sets each type's duration (SPEC.md §2)."""

    def __init__(self, *args, durations: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in ExamType.choices:
            self.fields[value] = forms.IntegerField(
                label=f"{label}（分钟）", initial=durations.get(value), min_value=10, max_value=600,
                error_messages={"required": "请填写考试时长", "invalid": "请填写整数分钟数",
                                "min_value": "考试时长不能少于 10 分钟", "max_value": "考试时长不能超过 600 分钟"},
            )
