from django.apps import AppConfig


class AnswercardsConfig(AppConfig):
    name = "answercards"
    verbose_name = "答题卡考试"
