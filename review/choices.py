from django.db import models


class ReviewStatus(models.TextChoices):
    """违规核查 of one plan. A plan without a PlanReview row is 待核查 once its exam has ended and
    every attempt is closed (review.selectors.plan_review_state)."""

    RUNNING = "running", "计算中"
    READY = "ready", "核查中"
    FAILED = "failed", "计算失败"
    PUBLISHED = "published", "已发布"


class FlagKind(models.TextChoices):
    """What can mark a candidate for the reviewer (the queue filters by these)."""

    SIMILAR = "similar", "雷同答卷"
    FAST = "fast", "作答过快"
    SHARED_IP = "shared_ip", "共用IP"
    # No proctoring kind: the snapshots' notes (no face, several faces, camera covered;
    # docs/decisions.md#snapshot-note) are shown on the candidate's evidence page, not flagged here
    # (docs/decisions.md#evidence-contract).


class Outcome(models.TextChoices):
    NORMAL = "normal", "正常"
    VIOLATION = "violation", "违规"


class DecisionStatus(models.TextChoices):
    EFFECTIVE = "effective", "已生效"
    AWAITING = "awaiting", "待复核"
    RETURNED = "returned", "复核未通过"


class DecisionChoice(models.TextChoices):
    """The three choices of the decision form (docs/decisions.md#review-decisions)."""

    NORMAL = "normal", "正常"
    VIOLATION = "violation", "违规"
    SECOND_REVIEW = "second_review", "违规，提交复核（须另一位部中心核查人确认）"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    UPHELD = "upheld", "申诉成立"
    REJECTED = "rejected", "申诉驳回"


# Answer timing (docs/similarity.md, "Answers faster than readable"): a question of n characters
# (stem and options) cannot be read in less than n / READ_CHARS_PER_SECOND seconds, and never in
# less than MIN_READ_SECONDS. Skimming Chinese runs at about 500–1,000 characters a minute; 25 a
# second is well above that, so a time below the limit means the question was not read.
READ_CHARS_PER_SECOND = 25
MIN_READ_SECONDS = 2.0
# A candidate is flagged when at least this many answers, and this share of their answers,
# came faster than readable.
FAST_MIN_COUNT = 10
FAST_MIN_SHARE = 0.2
# A client stamp further than this from the server's receipt is not believed (the page's clock
# estimate is synced every 30 s; a larger gap is a wrong clock or a forged stamp).
CLIENT_STAMP_TOLERANCE_SECONDS = 120
# Days after publication during which a candidate may object to a violation (central may set
# another number when publishing; settings.REVIEW_OBJECTION_DAYS overrides this default).
DEFAULT_OBJECTION_DAYS = 10
