"""List pages paginate 20 rows by default with a page-size selector (the guide's lists)."""

from django.core.paginator import Paginator

PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20


def paginate(request, queryset, *, default: int = DEFAULT_PAGE_SIZE):
    try:
        size = int(request.GET.get("page_size", default))
    except ValueError:
        size = default
    if size not in PAGE_SIZES:
        size = default
    paginator = Paginator(queryset, size)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "page_obj": page,
        "paginator": paginator,
        "page_size": size,
        "page_sizes": PAGE_SIZES,
        "querystring": params.urlencode(),
    }
