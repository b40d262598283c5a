"""What the candidates app declares to core.scoping: a regional administrator reads the audit
rows about a person (people.Person, shared by regions) who holds a registration in its region,
whichever region's action wrote them (docs/decisions.md#registration-contact). The rule lives here because only this app
knows the registrations; CandidatesConfig.ready() declares it."""

from django.db.models import CharField, Q
from django.db.models.functions import Cast

from audit.models import PERSON_LABEL

from .models import Registration


def audit_rows_of_persons_registered_here(user) -> Q:
    """The audit rows (audit.AuditLog) about a person registered in the user's region."""
    persons = (Registration.objects.filter(region_id=user.region_id)
               .annotate(pid=Cast("person_id", CharField())).values("pid"))
    return Q(object_type=PERSON_LABEL, object_id__in=persons)
