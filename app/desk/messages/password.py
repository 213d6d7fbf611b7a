"""The password a user must change after an administrator reset it (/review/password)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "password_change_title": ("Choose a new password", "ជ្រើសរើសពាក្យសម្ងាត់ថ្មី"),
    "password_change_intro": (
        "An administrator reset your password. Choose a new one that only you know before "
        "you go on.",
        "អ្នកគ្រប់គ្រងប្រព័ន្ធបានកំណត់ពាក្យសម្ងាត់របស់អ្នកឡើងវិញ។ សូមជ្រើសរើសពាក្យសម្ងាត់ថ្មីដែលមានតែអ្នកទេដែលដឹង មុននឹងបន្ត។",
    ),
    "password_change_new": ("New password", "ពាក្យសម្ងាត់ថ្មី"),
    "password_change_hint": ("At least 8 characters.", "យ៉ាងហោចណាស់ ៨ តួ។"),
    "password_change_again": ("New password again", "ពាក្យសម្ងាត់ថ្មីម្តងទៀត"),
    "password_change_button": ("Change password", "ប្តូរពាក្យសម្ងាត់"),
    "password_change_too_short": (
        "The new password needs at least 8 characters.",
        "ពាក្យសម្ងាត់ថ្មីត្រូវមានយ៉ាងហោចណាស់ ៨ តួ។",
    ),
    "password_change_mismatch": (
        "The two new passwords are not the same.",
        "ពាក្យសម្ងាត់ថ្មីទាំងពីរមិនដូចគ្នាទេ។",
    ),
    "password_change_same": (
        "Choose a password other than the one the administrator gave you.",
        "សូមជ្រើសរើសពាក្យសម្ងាត់ផ្សេងពីពាក្យដែលអ្នកគ្រប់គ្រងប្រព័ន្ធបានផ្តល់ឱ្យ។",
    ),
}
