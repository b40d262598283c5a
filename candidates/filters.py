"""The filters of 导入记录 (core.filters): one definition, applied by
candidates.importing.selectors.import_run_list. The candidate list's own filter definition is
candidates.forms.CandidateFilterForm (also a core.filters.FilterForm)."""

from django import forms

from core.filters import FilterForm

from .importing.selectors import import_run_list


class ImportRunFilterForm(FilterForm):
    """导入记录: 批次编号 (contains)."""

    batch_no = forms.CharField(label="批次编号", max_length=16, required=False)

    selector = staticmethod(import_run_list)
