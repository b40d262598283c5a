"""Who sees what, decided in one place.

central sees every region; a regional administrator sees only rows of its own region; a
candidate sees only rows that are its own. A model opts in by using `ScopedQuerySet` (or
`ScopedManager`) and declaring two class attributes:

    scope_region_field = "region"          # lookup path from the model to its Region
    scope_candidate_field = "person__user" # lookup path to the candidate's User, or None
    scope_region_many = True               # optional: the region path is one-to-many
    scope_shared = True                    # instead: reference data every administrator reads
                                           # whole (违规类型, 考核类型时长); a candidate reads none

A regional administrator may see more of a model than its region's rows when another app has a
reason (the audit rows about a person registered in its region): that app declares the extra
rows once, `declare_regional_extra("audit.AuditLog", rule)` in its AppConfig.ready(), and
visible_to and get_visible_or_404 both apply it. core itself knows no domain app.

Every view starts from `Model.objects.visible_to(request.user)` or `get_visible_or_404`, so a
row outside the caller's scope behaves exactly as a row that does not exist (404).
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

from .errors import PermissionDenied
from .roles import Role

# {model label ("app.Model"): [rule(user) -> Q over that model]}: rows a regional administrator
# sees beyond its own region's, declared by the app that knows why (declare_regional_extra).
_REGIONAL_EXTRA: dict[str, list[Callable]] = {}


def declare_regional_extra(model_label: str, rule: Callable) -> None:
    """Declare that a regional administrator also sees the rows of `model_label` matching
    `rule(user)`, a Q over that model (the user is an active regional administrator with a
    region). Call it from the declaring app's AppConfig.ready(); declaring the same rule twice
    is harmless."""
    rules = _REGIONAL_EXTRA.setdefault(model_label, [])
    if rule not in rules:
        rules.append(rule)


def regional_extras(model) -> tuple[Callable, ...]:
    """The rules declared for `model` (a model class), in declaration order."""
    return tuple(_REGIONAL_EXTRA.get(model._meta.label, ()))


def scope_queryset(qs: models.QuerySet, user) -> models.QuerySet:
    model = qs.model
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    role = getattr(user, "role", None)
    if role == Role.CENTRAL:
        return qs
    if role == Role.REGIONAL:
        if getattr(model, "scope_shared", False):
            return qs
        field = getattr(model, "scope_region_field", None)
        if field is None or not user.region_id:
            return qs.none()
        if getattr(model, "scope_region_many", False):
            # the path crosses a one-to-many relation: filter by subquery, never duplicate rows
            own = models.Q(pk__in=model._base_manager.filter(**{field: user.region_id}).values("pk"))
        else:
            own = models.Q(**{field: user.region_id})
        for rule in regional_extras(model):
            own |= rule(user)
        return qs.filter(own)
    if role == Role.CANDIDATE:
        field = getattr(model, "scope_candidate_field", None)
        if field is None:
            return qs.none()
        return qs.filter(**{field: user.pk})
    return qs.none()


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ScopedQuerySet":
        return scope_queryset(self, user)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


# ---------------------------------------------------------------- checks inside a service
# A view already refuses the wrong role (core.permissions) and fetches through visible_to, but a
# service is also called from commands, jobs and other services, so it checks again with these
# two, and nothing else (tests/test_access.py fails when a services module grows its own).


def _refused(message: str | None) -> PermissionDenied:
    return PermissionDenied(message) if message else PermissionDenied()


def require_role(user, *roles: Role, message: str | None = None) -> None:
    """The caller is a signed-in, active user of one of `roles`; otherwise PermissionDenied
    (core.errors: the views turn it into a 403 or a message) with `message`."""
    if not roles:
        raise TypeError("require_role needs at least one role")
    if (user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False)
            or getattr(user, "role", None) not in roles):
        raise _refused(message)


def assert_visible(obj: models.Model, user, *, message: str | None = None) -> None:
    """Re-check inside a service that `obj` is within the caller's scope, by the rule of
    visible_to (central: any row; a region: its own; a candidate: its own), so no path reaches a
    write for an object the caller could not have fetched. Otherwise PermissionDenied."""
    if not is_visible(obj, user):
        raise _refused(message)


def is_visible(obj: models.Model, user) -> bool:
    """Whether `obj` is among `Model.objects.visible_to(user)`. Read from the object's own fields
    where the scope path is a chain of foreign keys (no query when they are loaded: services call
    this on hot paths such as saving an answer); by a query where the path crosses a one-to-many
    relation, another app declared extra rows (declare_regional_extra) or the model refines
    visible_to. Read through the model's queryset class, not its
    default manager's filter: a soft-deleted plan is still its region's, refused for that reason
    by the service with its own message. tests/test_access.py holds the two ways to agree."""
    if obj.pk is None:
        return False
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    model = type(obj)
    role = getattr(user, "role", None)
    qs = type(model._default_manager.all())(model=model)
    refined = hasattr(qs, "visible_to") and type(qs).visible_to is not ScopedQuerySet.visible_to
    if role == Role.CENTRAL and not refined:
        return True
    if (role == Role.REGIONAL and not refined and not getattr(model, "scope_region_many", False)
            and not regional_extras(model)):
        if getattr(model, "scope_shared", False):
            return True
        field = getattr(model, "scope_region_field", None)
        if field is None or not user.region_id:
            return False
        value = _follow(obj, field)
        if value is not _UNKNOWN:
            return value == user.region_id
    if role == Role.CANDIDATE and not refined:
        field = getattr(model, "scope_candidate_field", None)
        if field is None:
            return False
        value = _follow(obj, field)
        if value is not _UNKNOWN:
            return value == user.pk
    qs = qs.filter(pk=obj.pk)
    return (qs.visible_to(user) if hasattr(qs, "visible_to") else scope_queryset(qs, user)).exists()


_UNKNOWN = object()


def _follow(obj: models.Model, path: str):
    """The key at the end of a lookup path ("plan__region" → obj.plan.region_id), following only
    foreign keys and one-to-one fields; _UNKNOWN where the path is anything else."""
    *hops, last = path.split("__")
    for hop in hops:
        field = obj._meta.get_field(hop)
        if not (field.many_to_one or field.one_to_one) or not field.concrete:
            return _UNKNOWN
        obj = getattr(obj, hop)
        if obj is None:
            return None
    if last == "pk":
        return obj.pk
    field = obj._meta.get_field(last)
    if field.many_to_one or (field.one_to_one and field.concrete):
        return getattr(obj, field.attname)
    return _UNKNOWN


def get_visible_or_404(qs_or_model, user, **lookup):
    """Fetch one object the user may see; anything else (absent or out of scope) is a 404."""
    qs = qs_or_model if isinstance(qs_or_model, models.QuerySet) else qs_or_model._default_manager.all()
    qs = scope_queryset(qs, user)  # a declared extra path (declare_regional_extra) included
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        # ValidationError: a malformed key, e.g. "abc" for a UUID primary key
        raise Http404("未找到该记录") from exc
