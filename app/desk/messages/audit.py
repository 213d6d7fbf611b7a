"""The audit log page (/review/audit)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "audit_title": ("Audit log", "កំណត់ហេតុសវនកម្ម"),
    "audit_intro": (
        "Every sign-in, sync, review, placement step and export, newest first. "
        "Nothing in it can be changed or deleted.",
        "រាល់ការចូលប្រើ ការធ្វើសមកាលកម្ម ការពិនិត្យ ជំហាននៃការដាក់ឱ្យថែទាំ និងការនាំចេញ "
        "ដោយថ្មីបំផុតនៅខាងលើ។ គ្មានអ្វីនៅក្នុងនេះអាចកែប្រែ ឬលុបបានទេ។",
    ),
    "audit_user": ("Who (username)", "អ្នកណា (ឈ្មោះអ្នកប្រើ)"),
    "audit_action": ("Action", "សកម្មភាព"),
    "audit_action_hint": (
        "For example review.approve, or review.* for every review",
        "ឧទាហរណ៍ review.approve ឬ review.* សម្រាប់រាល់ការពិនិត្យ",
    ),
    "audit_record": ("Record ID", "លេខសម្គាល់កំណត់ត្រា"),
    "audit_from": ("On or after", "ចាប់ពីថ្ងៃ"),
    "audit_to": ("On or before", "រហូតដល់ថ្ងៃ"),
    "audit_download_csv": (
        "Download these entries as CSV",
        "ទាញយកធាតុទាំងនេះជាឯកសារ CSV",
    ),
    "audit_caption": ("Audit entries, newest first", "ធាតុសវនកម្ម ដោយថ្មីបំផុតនៅខាងលើ"),
    "audit_col_when": ("When", "ពេលវេលា"),
    "audit_col_who": ("Who", "អ្នកណា"),
    "audit_col_action": ("Action", "សកម្មភាព"),
    "audit_col_target": ("On", "លើ"),
    "audit_col_details": ("Details", "ព័ត៌មានលម្អិត"),
    "audit_none": ("No entries match these filters.", "គ្មានធាតុណាត្រូវនឹងតម្រងទាំងនេះទេ។"),
    "audit_older": ("Older entries", "ធាតុចាស់ជាងនេះ"),
    "audit_forbidden": (
        "Only MoSVY and administrators may read the audit log.",
        "មានតែក្រសួងសង្គមកិច្ច និងអ្នកគ្រប់គ្រងប្រព័ន្ធប៉ុណ្ណោះ ដែលអាចអានកំណត់ហេតុសវនកម្មបាន។",
    ),
    "audit_bad_action": (
        "Write an action in small letters with dots, such as review.approve or review.*.",
        "សូមសរសេរសកម្មភាពជាអក្សរតូច ដោយមានចំណុច ដូចជា review.approve ឬ review.*។",
    ),
    "audit_bad_value": ("This value is too long.", "តម្លៃនេះវែងពេក។"),
}
