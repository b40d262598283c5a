"""Test helpers for the whole project, outside core because they build domain objects.

world.py: the password of every test account, the reference data the migrations load, and the
small world of two regions, their administrators, central and a candidate (the ``world`` fixture).
scoping.py: the scoping suite every app's tests/test_scoping*.py runs its views through.
"""
