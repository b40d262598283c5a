"""The three kinds of users (SPEC.md "Who uses it"). Roles live in core so that scoping, the menu
and permission checks can be written once without importing the accounts app."""

from django.db import models


class Role(models.TextChoices):
    CENTRAL = "central", "部中心"
    REGIONAL = "regional", "管局"
    CANDIDATE = "candidate", "考生"
