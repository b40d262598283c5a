DEFAULT_DURATIONS = {"continuing_online": 90, "new_online": 120, "new_offline": 120}


def ensure(ExamTypeSetting=None) -> None:
    """Each 考核类型's default duration (SPEC.md §2), where central has not set one."""
    if ExamTypeSetting is None:
        from .models import ExamTypeSetting
    for exam_type, minutes in DEFAULT_DURATIONS.items():
        ExamTypeSetting.objects.get_or_create(exam_type=exam_type, defaults={"duration_minutes": minutes})
