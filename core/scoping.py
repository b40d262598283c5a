"""Who sees what, decided in one place.

central sees every region; a regional administrator sees only rows of its own region; a
candidate sees only rows that are its own. A model opts in by using `ScopedQuerySet` (or
`ScopedManager`) and declaring two class attributes:

    scope_region_field = "region"          # lookup path from the model to its Region
    scope_candidate_field = "person__user" # lookup path to the candidate's User, or None
    scope_region_many = True               # optional: the region path is one-to-many
    scope_shared = True                    # instead: reference data every administrator reads
                                           # whole (违规类型, 考核类型时长); a candidate reads none

Every view starts from `Model.objects.visible_to(request.user)` or `get_visible_or_404`, so a
row outside the caller's scope behaves exactly as a row that does not exist (404).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

from .roles import Role


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
            return qs.filter(pk__in=model._base_manager.filter(**{field: user.region_id}).values("pk"))
        return qs.filter(**{field: user.region_id})
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
    # A model whose queryset refines visible_to (the blacklist's registration path) is scoped
    # by its own rule; every other model by scope_queryset.
    qs = qs.visible_to(user) if hasattr(qs, "visible_to") else scope_queryset(qs, user)
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        # ValidationError: a malformed key, e.g. "abc" for a UUID primary key
        raise Http404("未找到该记录") from exc


def user_region_id(user):
    """The region a regional administrator is tied to, None for central."""
    return user.region_id if getattr(user, "role", None) == Role.REGIONAL else None
