# GB/T 2260 provincial codes: the 31 provinces, autonomous regions and municipalities of the
# mainland, plus 新疆生产建设兵团 (66, see Region's docstring).
REGIONS = [
    ("11", "北京市"), ("12", "天津市"), ("13", "河北省"), ("14", "山西省"), ("15", "内蒙古自治区"),
    ("21", "辽宁省"), ("22", "吉林省"), ("23", "黑龙江省"),
    ("31", "上海市"), ("32", "江苏省"), ("33", "浙江省"), ("34", "安徽省"), ("35", "福建省"),
    ("36", "江西省"), ("37", "山东省"),
    ("41", "河南省"), ("42", "湖北省"), ("43", "湖南省"), ("44", "广东省"), ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"), ("51", "四川省"), ("52", "贵州省"), ("53", "云南省"), ("54", "西藏自治区"),
    ("61", "陕西省"), ("62", "甘肃省"), ("63", "青海省"), ("64", "宁夏回族自治区"), ("65", "新疆维吾尔自治区"),
    ("66", "新疆生产建设兵团"),
]


def ensure(Region=None) -> None:
    """Create or refresh the regions (used by the data migration and by tests after a flush)."""
    if Region is None:
        from .models import Region
    if Region.objects.count() == len(REGIONS):
        return
    for order, (code, name) in enumerate(REGIONS):
        Region.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})
