"""Forms of the violation check. They parse input only; the rules (a category for a violation,
evidence, a note, a reason for a revision, another reviewer for 复核) are review.services'."""

from django import forms

from core.forms import Form

from .choices import DecisionChoice

TEXTAREA = {"rows": 3}


class CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{'成绩作废，' if obj.voids_score else ''}默认处罚 {obj.default_penalty_months} 个月）"


class DecisionForm(Form):
    choice = forms.ChoiceField(label="核查结论", choices=DecisionChoice.choices, widget=forms.RadioSelect)
    category = CategoryField(label="违规类型", queryset=None, required=False, empty_label="请选择（违规时必选）")
    evidence = forms.MultipleChoiceField(label="依据的证据", required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="核查说明", max_length=5000, widget=forms.Textarea(attrs=TEXTAREA))
    reason = forms.CharField(label="修改原因", max_length=500, required=False,
                             help_text="修改已有结论时必填（记入审计日志）",
                             widget=forms.TextInput(attrs={"class": "wide"}))
    seen_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, evidence_options, user, **kwargs):
        from blacklist.selectors import active_categories

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories(fetched_by=user)
        self.fields["evidence"].choices = evidence_options
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("data-testid", f"decision-{name}")


class ReviewNoteForm(Form):
    note = forms.CharField(label="复核意见", max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))
    seen_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class PublishForm(Form):
    objection_days = forms.IntegerField(label="申诉期限（天）", min_value=1, max_value=60)


class ObjectionForm(Form):
    text = forms.CharField(label="申诉理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))


class ObjectionDecideForm(Form):
    outcome = forms.ChoiceField(label="处理结果", widget=forms.RadioSelect,
                                choices=[("upheld", "申诉成立（恢复成绩、撤销黑名单记录）"), ("rejected", "申诉驳回（维持违规结论）")])
    answer = forms.CharField(label="处理意见", max_length=2000, widget=forms.Textarea(attrs=TEXTAREA),
                             help_text="考生在“我的考核”看到此意见")
