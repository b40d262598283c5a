"""core's behaviour tried on the apps' models and pages: the scoping rules on real scoped
models, the shell (menu, base pages, health), the audit log's client address. These tests import
domain apps, which nothing under core/ may do (core/tests/test_imports.py)."""
