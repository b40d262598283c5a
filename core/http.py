"""Reading request parameters that do not go through a form (forms already refuse NUL)."""


def query_text(request, name: str, max_length: int = 100) -> str:
    """A free-text GET parameter: trimmed, at most max_length characters, NUL characters removed
    (PostgreSQL refuses them in text, which would turn a crafted URL into a server error)."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:max_length]


def json_body(request, *, max_bytes: int) -> dict:
    """The JSON object a page's script posted, or ApplicationError with the page's words: too
    large, not JSON, or not an object. The exam page, its 考前测试 and proctoring all read so."""
    import json

    from .errors import ApplicationError

    if len(request.body) > max_bytes:
        raise ApplicationError("请求内容过大")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApplicationError("请求格式不正确") from exc
    if not isinstance(data, dict):
        raise ApplicationError("请求格式不正确")
    return data
