"""The text a candidate reads before a remote exam (个人信息保护法 Art. 17 (告知), 28–29 (敏感个人
信息, 单独同意)): for each purpose what is collected, why, who sees it and how long it is kept.
Each purpose is answered separately; a record keeps the version and the SHA-256 of the exact
text shown (the interval and the retention come from the settings, so they are part of it).
Change CONSENT_VERSION whenever the wording changes: an answer to an older version no longer
counts and the candidate is asked again."""

import hashlib
from dataclasses import dataclass

from django.conf import settings

from .choices import ConsentPurpose

CONSENT_VERSION = "2026-12-02"


@dataclass(frozen=True)
class ConsentText:
    purpose: str
    title: str
    paragraphs: tuple[tuple[str, str], ...]  # (heading, text)

    @property
    def digest(self) -> str:
        body = "\n".join([CONSENT_VERSION, self.purpose, self.title, *(f"{h}：{t}" for h, t in self.paragraphs)])
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


# What withdrawing means (个人信息保护法 Art. 15), the same for both purposes: the rule is
# proctoring.services.consent_withdraw (docs/decisions.md, remote proctoring).
WITHDRAWAL = ("您可以随时撤回同意：考试开始前在本页面重新选择“不同意”；考试中点击考试页面上的“撤回同意”。"
              "撤回后摄像头抓拍和考试行为记录立即停止。远程监考考试不能在无监考的情况下继续，因此考试中撤回"
              "任一项同意即结束本场考试：系统立即以您已保存的答案交卷并评分，之后不能再作答或重新进入。撤回前"
              "已经收集的照片和记录不受影响，仍用于本场考试的违规核查，按上述期限保存和删除。")


def consent_texts() -> list[ConsentText]:
    seconds = settings.PROCTORING_SNAPSHOT_SECONDS
    days = settings.PROCTORING_SNAPSHOT_RETENTION_DAYS
    return [
        ConsentText(ConsentPurpose.CAMERA, "摄像头抓拍（人脸图像，敏感个人信息）", (
            ("收集什么", f"考试期间，考试页面通过您电脑的摄像头每 {seconds} 秒拍摄一张照片，在您离开考试页面、"
                         "退出全屏或尝试复制粘贴时也各拍摄一张，连同拍摄时间和 IP 地址上传到本系统。考试页面角落"
                         "显示摄像头画面，拍摄时您可以看到。考试结束或交卷后立即停止拍摄。"),
            ("为什么", "用于核实参加考试的是您本人、考试过程中没有他人在场协助，是部中心违规核查的依据。"
                       "系统自动检查每张照片中是否有且只有一张人脸、画面是否被遮挡或过暗，结果只作核查参考，"
                       "不自动作出处理决定。"),
            ("谁能看到", "仅工业和信息化部通信工程定额质监中心（部中心）的核查人员。管局、其他考生和任何第三方"
                         "都不能查看；照片没有公开的网络地址，每次查看都记入审计日志。"),
            ("保存多久", f"自上传之日起保存 {days} 天，期满由系统自动删除。"),
            ("撤回同意", WITHDRAWAL),
        )),
        ConsentText(ConsentPurpose.BEHAVIOUR, "考试行为记录", (
            ("收集什么", "考试期间，考试页面记录：离开考试页面或切换窗口、退出全屏、复制/剪切/粘贴的尝试（考试页面"
                         "禁止这些操作）、在其他页面或电脑再次打开本场考试、网络中断与恢复，以及每条记录的时间和 "
                         "IP 地址。不记录您在其他页面或程序中的任何内容。"),
            ("为什么", "用于部中心的违规核查，与答题记录一起判断考试过程是否正常。"),
            ("谁能看到", "记录明细仅部中心的核查人员可见；本地区管局在“考试监控”页面只能看到每位考生的事件次数。"),
            ("保存多久", "与您的答题记录一同作为考核档案保存。"),
            ("撤回同意", WITHDRAWAL),
        )),
    ]


def texts_by_purpose() -> dict[str, ConsentText]:
    return {text.purpose: text for text in consent_texts()}


def whom_to_ask(region) -> str:
    """Whom a candidate without consent asks: the 管局 of their registration's region, by name."""
    return region.administration_name


def refusal_message(region) -> str:
    return (f"本场考试为远程监考考试（继续教育(线上)），须同意摄像头抓拍和考试行为记录后才能进入。"
            f"如不同意或有疑问，请联系报名所在的{whom_to_ask(region)}（管局）。")
