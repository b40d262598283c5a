"""Demo blacklist: entries for 北京 and 广东 in each state (处罚中, 已期满, 已撤销, 未开始),
decided by the demo central user "center" through the real services."""

import datetime

from django.utils import timezone
from stdnum.cn import ric

from accounts.models import User
from people.models import IdType
from regions.models import Region

from .models import BlacklistEntry, ViolationCategory
from .services import entry_create, entry_revoke

DEMO_MARK = "【演示数据】"


def _resident_id(area: str, birth: str, seq: int) -> str:
    body = f"{area}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


# name, region code, area, birth, seq, company, category, start offset (days), end offset or None, revoke reason
DEMO_ENTRIES = [
    ("周建国", "11", "110105", "19700312", 11, "北京某通信建设有限公司", "替考", -60, None, ""),
    ("吴晓峰", "11", "110108", "19820725", 23, "北京某信息工程有限公司", "提供虚假材料", -500, -135, ""),
    ("郑海涛", "11", "110101", "19790101", 35, "北京某通信工程有限公司", "考试中使用违禁设备/资料", -20, None,
     "复核监控录像后认定为误报"),
    ("黄志明", "44", "440106", "19850918", 47, "广东某通信技术有限公司", "擅自离开考试或多次切屏", -30, None, ""),
    ("林美玲", "44", "440304", "19901105", 59, "深圳某网络工程有限公司", "考试中交头接耳或协助他人作答", 7, None, ""),
    ("陈伟强", "44", "440106", "19870620", 61, "广州某通信建设有限公司", "提供虚假材料", -800, -400, ""),
]


def load(out) -> list[str]:
    center = User.objects.filter(username="center").first()
    if center is None:
        return ["黑名单：未找到部中心演示账号 center，跳过"]
    if BlacklistEntry.objects.filter(evidence_note__startswith=DEMO_MARK).exists():
        return ["黑名单：演示记录已存在"]
    id_type = IdType.objects.get(code=1)
    today = timezone.localdate()
    for name, code, area, birth, seq, company, cat, start, end, revoke_reason in DEMO_ENTRIES:
        start_date = today + datetime.timedelta(days=start)
        entry = entry_create(
            id_type=id_type, id_number=_resident_id(area, birth, seq), name=name, company_name=company,
            region=Region.objects.get(code=code), category=ViolationCategory.objects.get(name=cat),
            penalty_start=start_date, penalty_end=today + datetime.timedelta(days=end) if end is not None else None,
            evidence_note=f"{DEMO_MARK}考核监控记录及现场监考报告显示：{cat}。", acting_user=center,
        )
        if revoke_reason:
            entry_revoke(entry=entry, reason=revoke_reason, acting_user=center)
    return [f"黑名单：{len(DEMO_ENTRIES)} 条演示记录（北京、广东；处罚中、已期满、已撤销、未开始）"]
