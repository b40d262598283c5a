"""List pages paginate 20 rows by default with a page-size selector (the guide's lists).

One paginator for every list. A list that counts its rows itself (the candidate list counts at
most a capped number and estimates above it, candidates.selectors.registration_count) hands
its `total` in, so no second COUNT(*) runs; an `estimated` total is only the database planner's
guess, so whether a next page exists is learnt from one extra row, never from the guess."""

from collections.abc import Callable, Iterable

from django.core.paginator import Page, Paginator

PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20


def page_size(request, default: int = DEFAULT_PAGE_SIZE) -> int:
    """?page_size= when it is one of PAGE_SIZES, else the default."""
    try:
        size = int(request.GET.get("page_size", default))
    except ValueError:
        size = default
    return size if size in PAGE_SIZES else default


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


class KeysFirst:
    """A list paged by its keys first. A slice of this object runs two statements: `keys(start,
    stop)`, the primary keys of that slice of the list alone (its filters and its order, no
    joins or annotations for display: an index walk that stops at the page), then `shape(pks)`,
    the rows to show for just those keys with their joins and annotations, put back in the
    keys' order (a row `shape` no longer returns, e.g. deleted meanwhile, is left out). The
    OFFSET of a deep page then skips index entries, not joined and annotated rows.

    `count()` is for paginate's exact recount past the end of an estimated list."""

    def __init__(self, *, keys: Callable[[int, int | None], list], shape: Callable[[list], Iterable],
                 count: Callable[[], int]):
        self.keys = keys
        self.shape = shape
        self.count = count

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step is not None:
            raise TypeError("KeysFirst is sliced by pages")
        pks = self.keys(item.start or 0, item.stop)
        if not pks:
            return []
        by_pk = {obj.pk: obj for obj in self.shape(pks)}
        return [by_pk[pk] for pk in pks if pk in by_pk]


class CountedPaginator(Paginator):
    """A paginator told its total instead of running its own COUNT(*)."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count


class EstimatedPage(Page):
    """A page of a list whose total is only estimated: whether a next page exists is known from
    the one extra row fetched, never from the estimate, and the rows shown are counted."""

    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self):
        return self.has_more

    def next_page_number(self):
        return self.number + 1

    def end_index(self):
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


def paginate(request, queryset, *, default: int = DEFAULT_PAGE_SIZE, total: int | None = None,
             estimated: bool = False) -> dict:
    """The page of `queryset` that ?page= asks for (an out-of-range page shows the last one),
    with what the pager template needs. `total`: the caller's count of the rows (else the
    paginator counts); `estimated`: that total is an estimate, and paging past its real end
    counts the rows exactly and shows the real last page."""
    size = page_size(request, default)
    page = None
    if total is not None and estimated:
        number = _page_number(request)
        paginator = CountedPaginator(queryset, size, count=total)
        start = (number - 1) * size
        items = list(queryset[start:start + size + 1])
        if items or number == 1:
            page = EstimatedPage(items[:size], number, paginator, has_more=len(items) > size)
        else:  # past the real end of the list: count it exactly and show its last page
            total, estimated = queryset.count(), False
    if page is None:
        paginator = Paginator(queryset, size) if total is None else CountedPaginator(queryset, size, count=total)
        page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "page_obj": page,
        "paginator": paginator,
        "page_size": size,
        "page_sizes": PAGE_SIZES,
        "querystring": params.urlencode(),
        "estimated": estimated,
    }
