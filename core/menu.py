"""The left menu per role, mirroring the guide (管局: 考核计划管理, 学员考核信息管理, 成绩管理,
黑名单管理; 部中心: the same plus accounts and the audit log). An entry whose page is not built
yet is shown disabled and marked 未开放, never as a link to a fake page."""

from django.urls import NoReverseMatch, reverse

from .roles import Role

MENU = [
    ("考核计划管理", "plans:list", {Role.CENTRAL, Role.REGIONAL}),
    ("计划审核", "plans:review_queue", {Role.CENTRAL}),
    ("学员考核信息管理", "candidates:list", {Role.CENTRAL, Role.REGIONAL}),
    ("导入记录", "candidates:import_runs", {Role.CENTRAL, Role.REGIONAL}),
    ("考前测试", "exams:pretest_plans", {Role.CENTRAL, Role.REGIONAL}),
    ("考试监控", "exams:monitor", {Role.CENTRAL, Role.REGIONAL}),
    ("入场规则", "exams:entry_rules", {Role.CENTRAL}),
    ("违规核查", "review:plans", {Role.CENTRAL}),
    ("成绩申诉", "review:objections", {Role.CENTRAL}),
    ("答题卡考试", "answercards:plans", {Role.CENTRAL, Role.REGIONAL}),
    ("成绩管理", "results:list", {Role.CENTRAL, Role.REGIONAL}),
    ("黑名单管理", "blacklist:list", {Role.CENTRAL, Role.REGIONAL}),
    ("违规类型", "blacklist:categories", {Role.CENTRAL}),
    ("题库管理", "questions:list", {Role.CENTRAL}),
    ("组卷规则", "papers:rules", {Role.CENTRAL}),
    ("管局账号管理", "accounts:regional_accounts", {Role.CENTRAL}),
    ("审计日志", "audit:list", {Role.CENTRAL}),
    ("短信发件箱", "sms:outbox", {Role.CENTRAL}),
    ("我的考核", "candidates:my_registrations", {Role.CANDIDATE}),
    ("修改密码", "accounts:password_change", {Role.CENTRAL, Role.REGIONAL, Role.CANDIDATE}),
]


def menu_for(user, current_path: str = ""):
    if not user.is_authenticated:
        return []
    items = []
    for label, url_name, roles in MENU:
        if user.role not in roles:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = None
        items.append({"label": label, "url": url, "active": False})
    # Only the longest matching entry is highlighted (/candidates/imports/ is 导入记录, not also
    # 学员考核信息管理).
    matches = [i for i in items if i["url"] and current_path.startswith(i["url"])]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return items
