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


def get_visible_or_404(qs_or_model, user, **lookup):
    """Fetch one object the user may see; anything else (absent or out of scope) is a 404."""
    qs = qs_or_model if isinstance(qs_or_model, models.QuerySet) else qs_or_model._default_manager.all()
    qs = scope_queryset(qs, user)  # a declared extra path (declare_regional_extra) included
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        # ValidationError: a malformed key, e.g. "abc" for a UUID primary key
        raise Http404("未找到该记录") from exc
