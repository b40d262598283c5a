"""Password policy (issue 3, 等保 2.0): at least 8 characters, at least 3 of the 4 character
classes (lower case, upper case, digits, symbols), and not containing the username."""

from django.core.exceptions import ValidationError


class ComplexityValidator:
    def __init__(self, min_length: int = 8, min_classes: int = 3):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password, user=None):
        errors = []
        if len(password) < self.min_length:
            errors.append(f"密码长度至少 {self.min_length} 位")
        classes = sum(
            [
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )
        if classes < self.min_classes:
            errors.append("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类")
        username = getattr(user, "username", "") if user is not None else ""
        if username and len(username) >= 3 and username.lower() in password.lower():
            errors.append("密码不能包含用户名")
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return f"至少 {self.min_length} 位，包含大写字母、小写字母、数字、特殊字符中的至少三类，且不能包含用户名"
