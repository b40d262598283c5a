"""Bank data built through the real services (STYLE.md 9)."""

from questions.choices import QuestionType
from questions.services import area_create, question_create
from questions.validation import QTYPE_WORDS, clean_question

STEMS = {
    QuestionType.SINGLE: "在通信管道人孔内作业前，应首先进行的工作是（ ）。",
    QuestionType.MULTIPLE: "高处作业人员应当配备的安全防护用品包括（ ）。",
    QuestionType.JUDGE: "施工现场临时用电工程必须采用 TN-S 接零保护系统。",
}
OPTIONS = {
    QuestionType.SINGLE: ["通风并检测有毒有害气体", "直接下井作业", "打开照明灯具", "清理井口杂物"],
    QuestionType.MULTIPLE: ["安全带", "安全帽", "防滑鞋", "护目镜", "手机"],
    QuestionType.JUDGE: [],
}
ANSWERS = {QuestionType.SINGLE: "A", QuestionType.MULTIPLE: "ABC", QuestionType.JUDGE: "正确"}


def question_raw(code: str, *, qtype=QuestionType.SINGLE, area="有限空间作业", personnel_types="ABC",
                 exam_types=("continuing_online", "new_online", "new_offline"), difficulty=3, **over) -> dict:
    base = QTYPE_WORDS.get(qtype, QuestionType.SINGLE)
    raw = {"code": code, "qtype": qtype, "stem": f"{STEMS[base]}（{code}）", "options": list(OPTIONS[base]),
           "answer": ANSWERS[base], "explanation": "依据《通信建设工程安全生产管理规定》。", "area": area,
           "personnel_types": personnel_types,
           "exam_types": exam_types if isinstance(exam_types, str) else list(exam_types), "difficulty": difficulty}
    raw.update(over)
    return raw


def make_question(central, code: str, **kwargs):
    return question_create(data=clean_question(question_raw(code, **kwargs)), acting_user=central, create_area=True)


def make_bank(central, *, areas=("有限空间作业", "高处作业"), per_cell=6, personnel_types="ABC",
              qtypes=(QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.JUDGE), prefix="Q"):
    """`per_cell` enabled questions of each type in each area, for every exam type."""
    created = {}
    for a_index, name in enumerate(areas):
        from questions.models import KnowledgeArea

        if not KnowledgeArea.objects.filter(name=name).exists():
            area_create(name=name, sort_order=a_index, acting_user=central)
        for qtype in qtypes:
            for i in range(per_cell):
                code = f"{prefix}{a_index}{qtype[0].upper()}{i:03d}"
                created[code] = make_question(central, code, qtype=qtype, area=name, personnel_types=personnel_types)
    return created
