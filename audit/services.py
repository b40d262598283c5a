"""Writing the audit trail. Every service that changes a plan, a candidate, a score decision or
the blacklist calls audit_record in its own transaction (SPEC.md "Across the system")."""

import datetime
import decimal
import uuid

from django.db import models

from core.masking import mask_payload, mask_text
from core.middleware import current_request_meta

from .actions import Action
from .models import AuditLog

_PLAIN = frozenset({str, int, float, bool})


def _jsonable(value):
    if value is None or type(value) in _PLAIN:  # most values: as they are (a regrade's row has 30,000)
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def model_snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """The values of a model's concrete fields (or the given ones), JSON-ready, for before/after."""
    names = fields or [f.name for f in obj._meta.concrete_fields]
    data = {}
    for name in names:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)
        data[name] = _jsonable(value)
    return data


def audit_record(
    *,
    actor,
    action: Action,
    obj: models.Model | None = None,
    region=None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    message: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditLog:
    """Record one action. Personal data in the values, the object name and the message is masked
    (GB/T 35273), so the audit trail itself never leaks an ID or phone number. `action` is a
    member of audit.actions.Action; a plain string, even one equal to a member's value, is
    refused, so every action the log holds is declared there with its label."""
    if not isinstance(action, Action):
        raise TypeError(f"audit_record: action must be an audit.actions.Action member, not {action!r}")
    meta = current_request_meta() or {}
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
        if region is None:
            region_id = getattr(obj, "region_id", None)
            region = region_id
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditLog.objects.create(
        actor=actor if is_user else None,
        actor_name=(actor.display_name if is_user else (str(actor) if actor else "系统"))[:100],
        actor_role=getattr(actor, "role", "") if is_user else "system",
        ip=meta.get("ip"),
        user_agent=meta.get("user_agent", "")[:200],
        action=action,
        message=mask_text(message)[:500],
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_repr=mask_text(object_repr)[:200],
        region_id=region.pk if hasattr(region, "pk") else region,
        before=mask_payload(_jsonable(before)) if before is not None else None,
        after=mask_payload(_jsonable(after)) if after is not None else None,
        reason=mask_text(reason)[:500],
    )
