"""Chinese names for what the audit log stores as codes (action, role, object type), so the
viewer reads as the rest of the interface; an unknown code is shown as it is."""

import json

from core.roles import Role

ACTION_LABELS = {
    "account.open": "开通账号", "account.replace": "变更账号持有人", "account.deactivate": "停用账号",
    "account.password_reset": "重置密码", "account.password_change": "修改密码",
    "account.password_change_failed": "修改密码失败", "account.login": "登录", "account.logout": "退出登录",
    "account.login_failed": "登录失败", "account.login_code_request": "获取登录验证码", "account.locked": "账号锁定",
    "account.unlock": "解除锁定", "account.activation_code_request": "考生获取设置密码验证码",
    "account.candidate_activate": "考生设置密码",
    "plan.create": "添加考核计划", "plan.update": "修改考核计划", "plan.delete": "删除考核计划",
    "plan.approve": "审核通过", "plan.reject": "审核不通过", "plan.central_update": "部中心修改考核计划",
    "plan.notice": "发送考前测试通知", "plan.notice_done": "考前测试通知完成", "plan_setting.update": "修改考试时长",
    "registration.create": "添加考生", "registration.update": "修改考生信息", "registration.delete": "删除考生",
    "registration.import": "导入考生", "registration.reveal": "查看完整信息", "registration.export": "导出考生信息",
    "registration.export_full": "导出考生信息（含完整证件号码）", "import.report_download": "下载导入结果",
    "person.create": "新增考生信息", "person.update": "更新考生信息",
    "blacklist.create": "列入黑名单", "blacklist.update": "修改黑名单记录", "blacklist.revoke": "撤销黑名单记录",
    "blacklist.reveal_id_number": "查看黑名单完整证件号码", "blacklist.evidence_download": "下载证据附件",
    "blacklist.export": "导出黑名单", "blacklist_category.create": "添加违规类型",
    "blacklist_category.update": "修改违规类型", "job.download": "下载任务文件",
    "knowledge_area.create": "添加知识领域", "knowledge_area.update": "修改知识领域",
    "question.create": "添加试题", "question.update": "修改试题属性", "question.new_version": "修改试题（新版本）",
    "question.enable": "启用试题", "question.disable": "停用试题", "question.delete": "删除试题",
    "question.import": "导入题库", "question.export": "导出题库",
    "paper_rule.create": "新建组卷规则", "paper_rule.update": "修改组卷规则", "paper_rule.enable": "启用组卷规则",
    "paper_rule.disable": "停用组卷规则", "paper.generate": "生成试卷", "paper.replace": "重新生成试卷",
    "paper.preview": "预览试卷",
    "attempt.in_progress": "进入考试", "attempt.submitted": "交卷", "attempt.graded": "评分",
    "attempt.absent": "缺考", "attempt.void": "考试作废", "attempt.extend": "延长考试时间",
    "entry_rule.update": "修改入场规则",
    "entry_code.create": "生成入场码", "attempt.unlock": "解锁入场", "question.correct": "更正试题", "score.regrade": "重新评分",
    "review.start": "开始违规核查计算", "review.compute": "违规核查计算完成", "review.decide": "作出核查结论",
    "review.revise": "修改核查结论", "review.confirm": "复核确认", "review.return": "复核不同意",
    "review.publish": "核查完成并发布", "score.void": "成绩作废", "score.restore": "恢复成绩",
    "score.publish": "发布成绩", "score.export": "导出成绩单", "score.print": "打印成绩单",
    "objection.submit": "提出申诉", "objection.uphold": "申诉成立", "objection.reject": "申诉驳回",
}

OBJECT_LABELS = {
    "accounts.User": "账号", "plans.ExamPlan": "考核计划", "candidates.Registration": "考生报名",
    "candidates.ImportRun": "导入记录", "people.Person": "考生", "blacklist.BlacklistEntry": "黑名单记录",
    "blacklist.ViolationCategory": "违规类型", "plans.ExamTypeSetting": "考试时长设置", "jobs.Job": "后台任务",
    "questions.Question": "试题", "questions.KnowledgeArea": "知识领域", "papers.PaperRule": "组卷规则",
    "papers.Paper": "试卷", "exams.Attempt": "考试记录", "exams.EntryRule": "入场规则",
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def role_label(code: str) -> str:
    try:
        return Role(code).label
    except ValueError:
        return code or "—"


def object_label(code: str) -> str:
    return OBJECT_LABELS.get(code, code)


def readable(value) -> str:
    """before/after as indented JSON with Chinese kept as it is (not a Python repr)."""
    if value in (None, "", {}):
        return "—"
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)
