"""Reading request parameters that do not go through a form (forms already refuse NUL)."""


def query_text(request, name: str, max_length: int = 100) -> str:
    """A free-text GET parameter: trimmed, at most max_length characters, NUL characters removed
    (PostgreSQL refuses them in text, which would turn a crafted URL into a server error)."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:max_length]
