from django import forms

from core.forms import Form

from .choices import DEFAULT_ROOM_SIZE, DEFAULT_VERSION_COUNT, MAX_ROOM_SIZE, MAX_VERSION_COUNT, MIN_ROOM_SIZE


class RoomsForm(Form):
    """生成考场: the room size, how many paper versions, where (the service checks the ranges too)."""

    room_size = forms.IntegerField(label="每个考场座位数", min_value=MIN_ROOM_SIZE, max_value=MAX_ROOM_SIZE,
                                   initial=DEFAULT_ROOM_SIZE,
                                   help_text=f"{MIN_ROOM_SIZE}–{MAX_ROOM_SIZE}，考场数按考生人数计算，各考场人数相差不超过 1")
    version_count = forms.IntegerField(label="试卷版本数", min_value=1, max_value=MAX_VERSION_COUNT,
                                       initial=DEFAULT_VERSION_COUNT,
                                       help_text="每类人员印制的试卷版本（A、B、…），相邻座位发放不同版本")
    site = forms.CharField(label="考点", max_length=100, required=False, help_text="印在签到表和门贴上，如 北京市通信管理局考点")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in (("room_size", f"每个考场的座位数应在 {MIN_ROOM_SIZE}–{MAX_ROOM_SIZE} 之间"),
                              ("version_count", f"试卷版本数应在 1–{MAX_VERSION_COUNT} 之间")):
            field = self.fields[name]
            field.error_messages.update(min_value=message, max_value=message, invalid=f"{field.label}应为整数")
