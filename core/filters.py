"""One filter definition per list (docs/decisions.md "One filter definition per list").

A list's filters are one `FilterForm` subclass in its app's `filters.py`. Its fields parse the
query string and its `selector` (the list's scoped read, `selector(*, filters, fetched_by)`)
applies the cleaned values. The list page, the list's export (posted to with the page's query
string), a background export job (which parses the saved query string again, under the job's
user) and an API later all go through that one class, so a filter cannot mean one thing on the
screen and another in the file.

One behaviour for an invalid filter, on every list: an unknown or out-of-scope id (another
region's plan, a deleted category), a malformed date or number, an end before a start. The
fields show their message, `message` says in one Chinese sentence what is wrong and where, and
the list has NO rows; an export is refused with the same words and writes no file. An invalid
filter never quietly widens into the whole list, nor an export into a whole region's personal
data. A parameter that is not a filter of the list (page, page_size, or ?region= for a regional
administrator, whose form has no region field) is no filter at all and is ignored.

An API reuses the class as it is: `form = XFilter(request.query_params, user=request.user)`;
`form.filters()` raises `InvalidFilter`, whose `extra["errors"]` are the fields' messages
(`form.errors.get_json_data()`), for a 400; `form.rows()` is the scoped queryset."""

from collections.abc import Callable

from django.db.models import QuerySet

from .errors import ApplicationError
from .forms import Form, error_summary

INVALID_FILTER = "筛选条件有误"


class InvalidFilter(ApplicationError):
    """The query string names a filter value the list cannot use; nothing was read."""

    def __init__(self, form: "FilterForm"):
        super().__init__(f"{INVALID_FILTER}：{error_summary(form)}", code="invalid_filter",
                         extra={"errors": form.errors.get_json_data()})


class FilterForm(Form):
    """A list's filters (see the module docstring). Subclasses declare the fields and set
    `selector = staticmethod(the_list_selector)`; `user` is who reads the list: the choices of
    a field that names objects (plans, regions) are the ones this user may see, so another
    region's id is an invalid choice, not a silent filter."""

    selector: Callable[..., QuerySet]

    def __init__(self, data=None, *, user, **kwargs):
        # an empty query string is an unbound form: no filter, every row the user may see
        super().__init__(data or None, **kwargs)
        self.user = user

    @property
    def invalid(self) -> bool:
        return self.is_bound and not self.is_valid()

    def filters(self) -> dict:
        """The cleaned, non-empty filters ({} when none is asked for). Raises InvalidFilter for
        an invalid query string, so that no caller can mistake it for "no filter"."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            raise InvalidFilter(self)
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}

    def shown_filters(self) -> dict:
        """The filters the rows on the page were selected with: {} when invalid (no rows)."""
        return {} if self.invalid else self.filters()

    def rows(self, **selector_kwargs) -> QuerySet:
        """The list as `user` may see it, filtered and ordered by the selector; no rows at all
        when the filters are invalid."""
        select = type(self).selector
        if self.invalid:
            return select(filters={}, fetched_by=self.user, **selector_kwargs).none()
        return select(filters=self.filters(), fetched_by=self.user, **selector_kwargs)

    def invalid_filter_text(self) -> str:
        """"筛选条件有误：…" naming the invalid fields (for an export's or a print's refusal)."""
        return f"{INVALID_FILTER}：{error_summary(self)}"

    @property
    def message(self) -> str:
        """The page's sentence above the list, "" while the filters are valid."""
        if not self.invalid:
            return ""
        return f"{INVALID_FILTER}：{error_summary(self)}。未显示任何记录，请修改后重新查询"
