"""The columns of the candidate file (SPEC.md §3), defined once. The template, the reader's
header check and the error report are all generated from COLUMNS, so renaming or adding a
column is a one-line change here."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str  # the key in a raw row dict and in RowResult.cleaned
    header: str  # the Chinese header in row 1 of the file (what users see)
    note: str  # the note on the header cell of the template
    required: bool = True  # required for every plan (certificate columns: see `continuing_only`)
    continuing_only: bool = False  # required only for 继续教育(线上) plans
    width: int = 18
    example: str = ""


COLUMNS: list[Column] = [
    Column("name", "姓名", "必填。考生姓名，最多 50 个字。", width=12, example="张三"),
    Column("id_type", "证件类型", "必填。填写数字代码：1 二代身份证、2 护照、3 港澳居民来往内地通行证、"
           "4 台湾居民来往大陆通行证、5 外国人永久居留身份证、6 港澳台居民居住证（见“填写说明”）。",
           width=10, example="1"),
    Column("id_number", "证件号码", "必填。按证件类型校验；身份证为 18 位（末位可为 X）。单元格须为文本格式，"
           "否则 Excel 会把号码变成 1.10105E+17 而丢失数字。", width=22, example="110105198506010011"),
    Column("phone", "手机号码", "必填。11 位中国大陆手机号，用于接收登录验证码。", width=14, example="13800138000"),
    Column("company_name", "企业名称", "必填。考生所在施工企业全称，最多 100 个字。", width=30,
           example="北京某某通信工程有限公司"),
    Column("credit_code", "统一社会信用代码", "必填。18 位企业统一社会信用代码（GB 32100）；校验位不符时仍导入，"
           "但会给出警告请核对。", width=22, example="91110108551385082Q"),
    Column("personnel_type", "人员类型", "必填。A 企业主要负责人、B 项目负责人、C 专职安全生产管理人员。",
           width=10, example="A"),
    Column("cert_number", "证书编号", "继续教育考核必填；新取证可不填。最多 50 个字。", required=False,
           continuing_only=True, width=20, example="京通信安A(2023)0000123"),
    Column("cert_expiry", "证书到期日期", "继续教育考核必填；格式 yyyy-mm-dd，例如 2020-01-01。", required=False,
           continuing_only=True, width=14, example="2026-12-31"),
]

COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
COLUMN_BY_HEADER = {c.header: c for c in COLUMNS}
HEADERS = [c.header for c in COLUMNS]

# The column the error report appends; a re-uploaded report carries it and the reader ignores it.
ERROR_COLUMN = "错误原因"
