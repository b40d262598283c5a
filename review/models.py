"""违规核查 (SPEC.md §6; the guide 四: "考核结束后，考生的成绩将交由部中心进行违规核查").

* `PlanReview`: the check of one plan: the background computation of the flags (a Job), its
  summary, and its state up to publication. Central only.
* `PairFlag`: a pair of candidates whose answers the collusion signal (review.similarity) found
  unusually similar: flagged (Bonferroni over all pairs of the plan) or only ranked (BH q ≤ 0.05).
* `ReviewCandidate`: one row per attempt of the plan: its flags (雷同答卷, 作答过快, 共用IP) with
  their details and how suspicious it is (the queue's order).
* `Decision`: 核查结论, append-only: every decision and every revision is a new row; the current
  one has `current=True`. A violation records the blacklist entry and the voided score it made.
* `Objection`: 申诉 of a candidate against a violation, decided by central.

Flags and pairs are derived (recomputed when central runs the check again); decisions and
objections are never deleted.
"""

from django.db import models
from django.db.models import Q

from core.scoping import ScopedManager

from .choices import DecisionStatus, FlagKind, ObjectionStatus, Outcome, ReviewStatus


class PlanReview(models.Model):
    plan = models.OneToOneField("plans.ExamPlan", verbose_name="考试批次", on_delete=models.PROTECT,
                                related_name="review")
    status = models.CharField("核查状态", max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.RUNNING)
    job = models.ForeignKey("jobs.Job", verbose_name="计算任务", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    started_by = models.ForeignKey("accounts.User", verbose_name="发起人", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField("开始计算时间")
    computed_at = models.DateTimeField("计算完成时间", null=True, blank=True)
    # what the signal reported: candidates, items, pairs, bonferroni_cut, exact_pairs, flagged,
    # ranked, groups, fast, shared_ip, parameters
    summary = models.JSONField("计算结果摘要", default=dict, blank=True)
    runs = models.PositiveSmallIntegerField("计算次数", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ScopedManager()
    scope_region_field = None  # central only
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "违规核查"

    def __str__(self) -> str:
        return f"{self.plan_id} {self.get_status_display()}"


class PairFlag(models.Model):
    review = models.ForeignKey(PlanReview, verbose_name="违规核查", on_delete=models.CASCADE, related_name="pairs")
    attempt_a = models.ForeignKey("exams.Attempt", verbose_name="考生甲", on_delete=models.PROTECT, related_name="+")
    attempt_b = models.ForeignKey("exams.Attempt", verbose_name="考生乙", on_delete=models.PROTECT, related_name="+")
    flagged = models.BooleanField("达到标记标准")
    p_value = models.FloatField("p 值")
    p_family = models.FloatField("全体考生对校正后的 p 值")
    q_value = models.FloatField("q 值")
    kind = models.CharField("主要依据", max_length=32)
    kinds = models.JSONField("达到标准的依据", default=list)
    statistic = models.CharField("统计量", max_length=32)
    tails = models.JSONField("各统计量尾概率", default=dict)
    evidence = models.JSONField("计数", default=dict)  # shared, identical, identical_wrong, follow_*, …
    likely_source = models.ForeignKey("exams.Attempt", verbose_name="可能的被抄袭者", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    group = models.PositiveSmallIntegerField("雷同组", null=True, blank=True)

    objects = ScopedManager()
    scope_region_field = None
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "雷同考生对"
        ordering = ["p_value", "pk"]
        constraints = [models.UniqueConstraint(fields=["review", "attempt_a", "attempt_b"], name="pairflag_unique")]

    def __str__(self) -> str:
        return f"{self.attempt_a_id}–{self.attempt_b_id} p={self.p_value:.3g}"


class ReviewCandidate(models.Model):
    review = models.ForeignKey(PlanReview, verbose_name="违规核查", on_delete=models.CASCADE,
                               related_name="candidates")
    attempt = models.ForeignKey("exams.Attempt", verbose_name="考试记录", on_delete=models.PROTECT, related_name="+")
    flag_similar = models.BooleanField(FlagKind.SIMILAR.label, default=False)
    flag_fast = models.BooleanField(FlagKind.FAST.label, default=False)
    flag_shared_ip = models.BooleanField(FlagKind.SHARED_IP.label, default=False)
    flag_proctoring = models.BooleanField(FlagKind.PROCTORING.label, default=False)
    # the strongest pair's family-wise p, fast answers, IPs shared with other candidates
    min_p_family = models.FloatField("最强雷同 p 值", null=True, blank=True)
    fast_count = models.PositiveSmallIntegerField("过快作答题数", default=0)
    answered = models.PositiveSmallIntegerField("作答题数", default=0)
    shared_ip_with = models.PositiveSmallIntegerField("共用IP的其他考生数", default=0)
    # what the proctoring record showed (remote plans): ["未检测到人脸或画面遮挡 3 张", …]
    proctoring_notes = models.JSONField("监考异常", default=list, blank=True)
    suspicion = models.FloatField("可疑程度", default=0, db_index=True)

    objects = ScopedManager()
    scope_region_field = None
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "核查考生"
        constraints = [models.UniqueConstraint(fields=["review", "attempt"], name="reviewcandidate_unique")]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.suspicion:.1f}"

    @property
    def flagged(self) -> bool:
        return self.flag_similar or self.flag_fast or self.flag_shared_ip or self.flag_proctoring

    @property
    def flag_labels(self) -> list[str]:
        return [kind.label for kind in FlagKind if getattr(self, f"flag_{kind.value}")]


class Decision(models.Model):
    """核查结论 of one attempt. Append-only: a revision, a second reviewer's confirmation or
    return, an upheld objection each write a new row and clear `current` on the old one (the
    rows themselves are never changed otherwise)."""

    review = models.ForeignKey(PlanReview, verbose_name="违规核查", on_delete=models.PROTECT, related_name="decisions")
    attempt = models.ForeignKey("exams.Attempt", verbose_name="考试记录", on_delete=models.PROTECT, related_name="+")
    revision = models.PositiveSmallIntegerField("版本")
    current = models.BooleanField("当前结论", default=True)
    outcome = models.CharField("结论", max_length=16, choices=Outcome.choices)
    status = models.CharField("状态", max_length=16, choices=DecisionStatus.choices)
    category = models.ForeignKey("blacklist.ViolationCategory", verbose_name="违规类型", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    # the evidence the reviewer says they considered: [{"key": "pair:12", "label": "…"}, …]
    evidence = models.JSONField("依据的证据", default=list, blank=True)
    note = models.TextField("核查说明", blank=True)
    reason = models.CharField("修改原因", max_length=500, blank=True)
    decided_by = models.ForeignKey("accounts.User", verbose_name="核查人", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("核查时间")
    # the second reviewer of a 提交复核 decision (confirmed: the row that confirms it)
    second_reviewer = models.ForeignKey("accounts.User", verbose_name="复核人", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    previous = models.ForeignKey("self", verbose_name="上一版本", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    # the effects of an effective violation
    blacklist_entry = models.ForeignKey("blacklist.BlacklistEntry", verbose_name="黑名单记录", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    score_voided = models.BooleanField("成绩作废", default=False)

    objects = ScopedManager()
    scope_region_field = None
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "核查结论"
        ordering = ["attempt_id", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["attempt"], condition=Q(current=True), name="decision_one_current"),
            models.UniqueConstraint(fields=["attempt", "revision"], name="decision_unique_revision"),
            models.CheckConstraint(name="decision_violation_has_category",
                                   condition=~Q(outcome=Outcome.VIOLATION) | Q(category__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} v{self.revision} {self.get_outcome_display()} {self.get_status_display()}"

    @property
    def label(self) -> str:
        text = self.get_outcome_display()
        if self.outcome == Outcome.VIOLATION and self.category_id:
            text += f"（{self.category.name}）"
        if self.status != DecisionStatus.EFFECTIVE:
            text += f"，{self.get_status_display()}"
        return text


class Objection(models.Model):
    """申诉: a candidate's objection to the violation found in their exam, within the days set at
    publication; central upholds it (the score and the blacklist entry are restored/revoked
    through their services) or rejects it. One per attempt."""

    attempt = models.OneToOneField("exams.Attempt", verbose_name="考试记录", on_delete=models.PROTECT,
                                   related_name="+")
    decision = models.ForeignKey(Decision, verbose_name="申诉的核查结论", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("申诉理由")
    submitted_by = models.ForeignKey("accounts.User", verbose_name="申诉人", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("申诉时间")
    status = models.CharField("处理状态", max_length=16, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.PENDING)
    decided_by = models.ForeignKey("accounts.User", verbose_name="处理人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    answer = models.TextField("处理意见", blank=True)

    objects = ScopedManager()
    scope_region_field = None
    scope_candidate_field = "attempt__registration__person__user"

    class Meta:
        verbose_name = verbose_name_plural = "成绩申诉"
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.get_status_display()}"
