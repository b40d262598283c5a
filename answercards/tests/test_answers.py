import pytest

from answercards.answers import AnswerStringError, Slot, compact, parse_answers, tokens_of

SLOTS = [Slot(1, "single", 4), Slot(2, "single", 4), Slot(3, "multiple", 5), Slot(4, "judge", 2), Slot(5, "multiple", 4)]


def problems(text, slots=SLOTS):
    with pytest.raises(AnswerStringError) as info:
        parse_answers(text, slots, version_label="A 类 A 卷")
    return str(info.value)


def test_the_compact_and_the_separated_forms_read_the_same():
    expected = ["A", "", "ACE", "B", "D"]
    assert parse_answers("A-(ACE)B(D)", SLOTS) == expected
    assert parse_answers("A-(ECA)BD", SLOTS) == expected  # a 多选 of one letter needs no brackets; letters sorted
    assert parse_answers("A,-,ACE,B,D", SLOTS) == expected
    assert parse_answers("a, ,c e a,b,d", SLOTS) == expected  # lower case, spaces inside a separated answer
    assert parse_answers("Ａ－（ＡＣＥ）ＢＤ".replace("－", "-"), SLOTS) == expected  # full-width (NFKC)
    assert parse_answers("A，，ACE，B，D", SLOTS) == expected  # full-width commas, an empty answer is a blank
    assert parse_answers("A,-,(ACE),B,D", SLOTS) == expected
    assert compact(expected, SLOTS) == "A-(ACE)B(D)"


def test_wrong_count_says_both_numbers_and_how_to_write_multiple_choice():
    message = problems("ABACEB")
    assert "作答共 6 题，A 类 A 卷有 5 题" in message and "多选题的答案须写在括号内" in message
    assert "作答共 4 题" in problems("A,B,ACE,B")


def test_letters_the_question_does_not_have():
    assert "第 2 题（单选题）填写了“E”：该题只有 A–D 4 个选项" in problems("AE(AC)BD")
    assert "第 4 题（判断题）填写了“C”：只能填 A（正确）或 B（错误）" in problems("AB(AC)CD")
    assert "第 1 题（单选题）填写了“1”" in problems("1B(AC)BD")
    assert "第 5 题（多选题）填写了“AE”" in problems("AB(AC)B(AE)")


def test_several_letters_for_a_single_choice_or_true_false():
    assert "第 1 题是单选题，只能填一个字母，填写了“AB”" in problems("(AB)B(AC)BD")
    assert "第 4 题是判断题" in problems("A,B,AC,AB,D")


def test_a_letter_twice_brackets_spaces_and_empty():
    assert "“AAC”中有重复的字母" in problems("AB(AAC)BD")
    assert "括号不成对" in problems("AB(ACBD")
    assert "括号不成对" in problems("ABAC)BD")
    assert "括号不成对" in problems("AB((AC)BD")
    assert "第 2 个字符是空格" in problems("A B(AC)BD")
    assert "作答不能为空" in problems("   ")


def test_every_problem_is_named_up_to_three_then_counted():
    message = problems("EEEEE")
    assert message.count("填写了") == 3 and "等共 4 处" in message  # E is an option of question 3 (5 options)


def test_tokens_of_keeps_blanks():
    assert tokens_of("-(-)()") == ["", "", ""]
