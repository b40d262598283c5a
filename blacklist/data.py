"""Default 违规类型 (violation categories).

The official 《安全生产"三类人员"考核违规认定及处理办法》 is not public (SPEC.md §7), so these are
our own sensible defaults, modelled on the rules other national examinations publish (score
voided; 1 year for false materials, 3 years for impersonation or fraud). Central edits,
adds and deactivates categories on the 违规类型 page; this list is only the starting point.
"""

# name, default penalty in months, whether the score is voided, description
CATEGORIES = [
    ("替考", 36, True, "由他人代替参加考核或代替他人参加考核（含远程考核中由他人代答）。"),
    ("提供虚假材料", 12, True, "报名时提供虚假的身份、学历、任职或证书等材料。"),
    ("考试中使用违禁设备/资料", 12, True, "考核中使用手机、耳机等违禁设备，或查阅规定以外的资料。"),
    ("考试中交头接耳或协助他人作答", 6, True, "考核中交谈、传递答案或协助他人作答。"),
    ("擅自离开考试或多次切屏", 6, True, "远程考核中擅自离开摄像范围、多次离开考试页面或退出全屏。"),
    ("恶意破坏考试系统", 36, True, "攻击、篡改或恶意干扰考核系统的正常运行。"),
]


def ensure(ViolationCategory=None) -> None:
    """Create the default categories that are missing (the data migration, and tests after a
    transactional test flushed the tables). Existing rows, possibly edited by central, are kept."""
    if ViolationCategory is None:
        from .models import ViolationCategory
    existing = set(ViolationCategory.objects.values_list("name", flat=True))
    for name, months, voids, description in CATEGORIES:
        if name not in existing:
            ViolationCategory.objects.create(
                name=name, default_penalty_months=months, voids_score=voids, description=description
            )
