"""The demo bank (演示题库): 300 questions on telecom construction safety written for this
project (questions/data/demo_bank.jsonl), loaded through the same cleaners and service as the
bank import (questions.validation.clean_question + question_upsert), marked is_demo so every
page that shows them says 演示题库. Idempotent: unchanged questions are reported as present."""

import json
from collections import Counter
from pathlib import Path

from accounts.models import User
from core.roles import Role

from .models import KnowledgeArea
from .services import area_create, question_upsert
from .validation import FieldInvalid, clean_question

DEMO_BANK = Path(__file__).resolve().parent / "data" / "demo_bank.jsonl"


def demo_rows() -> list[dict]:
    with DEMO_BANK.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load(out) -> list[str]:
    central = User.objects.filter(role=Role.CENTRAL, is_active=True).order_by("pk").first()
    if central is None:
        return []
    rows = demo_rows()
    # knowledge areas in the file's order
    for name in dict.fromkeys(row["area"] for row in rows):
        if not KnowledgeArea.objects.filter(name=name).exists():
            area_create(name=name, sort_order=KnowledgeArea.objects.count() + 1, acting_user=central)
    outcomes: Counter = Counter()
    for number, row in enumerate(rows, start=1):
        try:
            data = clean_question(row)
        except FieldInvalid as exc:  # the file is ours: a bad row is a bug to fix, said loudly
            raise ValueError(f"demo_bank.jsonl 第 {number} 行 {row.get('code')}：{exc.message}") from None
        outcomes[question_upsert(data=data, acting_user=central, is_demo=True).status] += 1
    return [f"演示题库：{len(rows)} 道试题（新增 {outcomes['created']}，已存在 {outcomes['unchanged']}，"
            f"更新 {outcomes['new_version'] + outcomes['updated']}），{KnowledgeArea.objects.count()} 个知识领域"]
