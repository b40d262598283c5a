# SPEC.md §3 defaults for 证件类型 (the guide: "二代身份证" is 1).
ID_TYPES = [
    (1, "二代身份证", "resident_id"),
    (2, "护照", "passport"),
    (3, "港澳居民来往内地通行证", "hk_macau_permit"),
    (4, "台湾居民来往大陆通行证", "taiwan_permit"),
    (5, "外国人永久居留身份证", "foreign_permanent"),
    (6, "港澳台居民居住证", "hmt_residence"),
]
