"""The audit vocabulary: every action the audit log records, with its Chinese label (docs/decisions.md#audit-vocabulary).

The value is what AuditLog.action stores (rows already written hold these values, so a value
never changes); the label is what the audit viewer, the plan history and the blacklist record's
history show. audit_record takes only a member of Action, and audit/tests/test_actions.py fails
when a member is never used by the code or the code names an action that is not here. A new
action is a new member here, used where it happens."""

from django.db import models


class Action(models.TextChoices):
    # accounts: administrators' and candidates' accounts, login and passwords
    ACCOUNT_OPEN = "account.open", "开通账号"
    ACCOUNT_REPLACE = "account.replace", "变更账号持有人"
    ACCOUNT_DEACTIVATE = "account.deactivate", "停用账号"
    ACCOUNT_PASSWORD_RESET = "account.password_reset", "重置密码"
    ACCOUNT_PASSWORD_CHANGE = "account.password_change", "修改密码"
    ACCOUNT_PASSWORD_CHANGE_FAILED = "account.password_change_failed", "修改密码失败"
    ACCOUNT_LOGIN = "account.login", "登录"
    ACCOUNT_LOGOUT = "account.logout", "退出登录"
    ACCOUNT_LOGIN_FAILED = "account.login_failed", "登录失败"
    ACCOUNT_LOGIN_CODE_REQUEST = "account.login_code_request", "获取登录验证码"
    ACCOUNT_LOCKED = "account.locked", "账号锁定"
    ACCOUNT_UNLOCK = "account.unlock", "解除锁定"
    ACCOUNT_ACTIVATION_CODE_REQUEST = "account.activation_code_request", "考生获取设置密码验证码"
    ACCOUNT_CANDIDATE_ACTIVATE = "account.candidate_activate", "考生设置密码"
    ACCOUNT_CANDIDATE_PHONE = "account.candidate_phone", "更换考生登录手机号码"
    ACCOUNT_PHONE_CHANGE_CODE_REQUEST = "account.phone_change_code_request", "考生获取更换手机号码验证码"
    ACCOUNT_PHONE_CHANGE_FAILED = "account.phone_change_failed", "更换手机号码失败"
    # plans: exam plans, their review and the exam-type durations
    PLAN_CREATE = "plan.create", "添加考核计划"
    PLAN_UPDATE = "plan.update", "管局修改考核计划"
    PLAN_DELETE = "plan.delete", "删除考核计划"
    PLAN_APPROVE = "plan.approve", "审核通过"
    PLAN_REJECT = "plan.reject", "审核不通过"
    PLAN_CENTRAL_UPDATE = "plan.central_update", "部中心修改考核计划"
    PLAN_NOTICE = "plan.notice", "发送考前测试通知"
    PLAN_NOTICE_DONE = "plan.notice_done", "考前测试通知完成"
    PLAN_SETTING_UPDATE = "plan_setting.update", "修改考试时长"
    # candidates and people: registrations, their import and export, the shared person record
    REGISTRATION_CREATE = "registration.create", "添加考生"
    REGISTRATION_UPDATE = "registration.update", "修改考生信息"
    REGISTRATION_DELETE = "registration.delete", "删除考生"
    REGISTRATION_IMPORT = "registration.import", "导入考生"
    REGISTRATION_REVEAL = "registration.reveal", "查看完整信息"
    REGISTRATION_EXPORT = "registration.export", "导出考生信息"
    REGISTRATION_EXPORT_FULL = "registration.export_full", "导出考生信息（含完整证件号码）"
    IMPORT_REPORT_DOWNLOAD = "import.report_download", "下载导入结果"
    PERSON_CREATE = "person.create", "新增考生信息"
    PERSON_UPDATE = "person.update", "更新考生信息"
    # blacklist
    BLACKLIST_CREATE = "blacklist.create", "列入黑名单"
    BLACKLIST_UPDATE = "blacklist.update", "修改黑名单记录"
    BLACKLIST_REVOKE = "blacklist.revoke", "撤销黑名单记录"
    BLACKLIST_REVEAL_ID_NUMBER = "blacklist.reveal_id_number", "查看黑名单完整证件号码"
    BLACKLIST_EVIDENCE_DOWNLOAD = "blacklist.evidence_download", "下载证据附件"
    BLACKLIST_EXPORT = "blacklist.export", "导出黑名单"
    BLACKLIST_CATEGORY_CREATE = "blacklist_category.create", "添加违规类型"
    BLACKLIST_CATEGORY_UPDATE = "blacklist_category.update", "修改违规类型"
    # jobs
    JOB_DOWNLOAD = "job.download", "下载任务文件"
    # questions: knowledge areas, the question bank, its import and export
    KNOWLEDGE_AREA_CREATE = "knowledge_area.create", "添加知识领域"
    KNOWLEDGE_AREA_UPDATE = "knowledge_area.update", "修改知识领域"
    QUESTION_CREATE = "question.create", "添加试题"
    QUESTION_UPDATE = "question.update", "修改试题属性"
    QUESTION_NEW_VERSION = "question.new_version", "修改试题（新版本）"
    QUESTION_ENABLE = "question.enable", "启用试题"
    QUESTION_DISABLE = "question.disable", "停用试题"
    QUESTION_DELETE = "question.delete", "删除试题"
    QUESTION_IMPORT = "question.import", "导入题库"
    QUESTION_EXPORT = "question.export", "导出题库"
    # papers: paper rules and the plan's papers
    PAPER_RULE_CREATE = "paper_rule.create", "新建组卷规则"
    PAPER_RULE_UPDATE = "paper_rule.update", "修改组卷规则"
    PAPER_RULE_ENABLE = "paper_rule.enable", "启用组卷规则"
    PAPER_RULE_DISABLE = "paper_rule.disable", "停用组卷规则"
    PAPER_GENERATE = "paper.generate", "生成试卷"
    PAPER_REPLACE = "paper.replace", "重新生成试卷"
    PAPER_ASSIGN_VERSION = "paper.assign_version", "按试卷版本生成考生试卷"
    # exams: an attempt's state changes (one member per target state), entry and extra time
    ATTEMPT_IN_PROGRESS = "attempt.in_progress", "进入考试"
    ATTEMPT_SUBMITTED = "attempt.submitted", "交卷"
    ATTEMPT_GRADED = "attempt.graded", "评分"
    ATTEMPT_ABSENT = "attempt.absent", "缺考"
    ATTEMPT_VOID = "attempt.void", "考试作废"
    ATTEMPT_EXTEND = "attempt.extend", "延长考试时间"
    ATTEMPT_UNLOCK = "attempt.unlock", "解锁入场"
    ENTRY_RULE_UPDATE = "entry_rule.update", "修改入场规则"
    ENTRY_CODE_CREATE = "entry_code.create", "生成入场码"
    ENTRY_NETWORK_UPDATE = "entry_network.update", "设置考点网络"
    # exams: 考前测试 (the candidate's parts, the 管局's handling of a report, the demo's results)
    PRETEST_INFO_CONFIRM = "pretest.info_confirm", "考前测试：确认报名信息"
    PRETEST_INFO_REPORT = "pretest.info_report", "考前测试：报告信息有误"
    PRETEST_INFO_RESOLVE = "pretest.info_resolve", "考前测试：处理信息有误报告"
    PRETEST_DEVICE_CHECK = "pretest.device_check", "考前测试：终端可用性测试"
    PRETEST_PRACTICE = "pretest.practice", "考前测试：完成练习卷"
    PRETEST_DEMO = "pretest.demo", "演示考前测试结果"
    # results: corrections and regrading
    QUESTION_CORRECT = "question.correct", "更正试题"
    SCORE_REGRADE = "score.regrade", "重新评分"
    # results: the violation check's effects on a score, publication, the 成绩单
    SCORE_VOID = "score.void", "成绩作废"
    SCORE_RESTORE = "score.restore", "恢复成绩"
    SCORE_PUBLISH = "score.publish", "发布成绩"
    SCORE_EXPORT = "score.export", "导出成绩单"
    SCORE_PRINT = "score.print", "打印成绩单"
    # review: the violation check (违规核查), its decisions and the candidates' objections
    REVIEW_START = "review.start", "开始违规核查计算"
    REVIEW_COMPUTE = "review.compute", "违规核查计算完成"
    REVIEW_DECIDE = "review.decide", "作出核查结论"
    REVIEW_REVISE = "review.revise", "修改核查结论"
    REVIEW_CONFIRM = "review.confirm", "复核确认"
    REVIEW_RETURN = "review.return", "复核不同意"
    REVIEW_PUBLISH = "review.publish", "核查完成并发布"
    OBJECTION_SUBMIT = "objection.submit", "提出申诉"
    OBJECTION_UPHOLD = "objection.uphold", "申诉成立"
    OBJECTION_REJECT = "objection.reject", "申诉驳回"
    # answercards: the answer-card mode (新取证(线下)): rooms, printing, the scanner's results
    ANSWERCARDS_ROOMS_GENERATE = "answercards.rooms_generate", "生成考场"
    ANSWERCARDS_PRINT_ROSTER = "answercards.print_roster", "打印考场签到表"
    ANSWERCARDS_PRINT_DOORS = "answercards.print_doors", "打印考场门贴"
    ANSWERCARDS_PRINT_BOOKLET = "answercards.print_booklet", "打印试卷题本"
    ANSWERCARDS_PRINT_KEY = "answercards.print_key", "打印试卷答案"
    ANSWERCARDS_IMPORT = "answercards.import", "导入答题卡"
    ANSWERCARDS_CARD_REPLACE = "answercards.card_replace", "更正答题卡"
    ANSWERCARDS_SCANNING_CLOSE = "answercards.scanning_close", "结束扫描"
    # proctoring: the remote exam's consent, who looked at the snapshots, the retention
    PROCTORING_CONSENT_GRANT = "proctoring.consent_grant", "同意远程监考"
    PROCTORING_CONSENT_REFUSE = "proctoring.consent_refuse", "不同意远程监考"
    PROCTORING_SNAPSHOT_VIEW = "proctoring.snapshot_view", "查看考试抓拍照片"
    PROCTORING_SNAPSHOT_PURGE = "proctoring.snapshot_purge", "删除过期考试抓拍照片"


# The audit viewer's whole-area filters (a prefix of the stored value: "plan" takes plan.* and
# plan_setting.*), offered before the single actions.
ACTION_GROUPS = [
    ("account.", "账号与登录（全部）"),
    ("plan", "考核计划（全部）"),
    ("registration.", "考生报名（全部）"),
    ("person.", "考生信息（全部）"),
    ("blacklist", "黑名单（全部）"),
    ("review.", "违规核查（全部）"),
    ("score.", "成绩（全部）"),
]


def action_label(value: str) -> str:
    """The Chinese label of a stored value; a value that is no member shows as it is."""
    try:
        return Action(value).label
    except ValueError:
        return value
