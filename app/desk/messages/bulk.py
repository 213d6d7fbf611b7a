"""Approving several records of the queue at once."""

MESSAGES: dict[str, tuple[str, str]] = {
    "bulk_select_col": ("Select", "ជ្រើសរើស"),
    "bulk_select": ("Select {record}", "ជ្រើសរើស {record}"),
    "bulk_approve": ("Approve selected", "អនុម័តកំណត់ត្រាដែលបានជ្រើសរើស"),
    "bulk_hint": (
        "Tick received records, then approve them all at once.",
        "សូមគូសធីកកំណត់ត្រាដែលបានទទួល រួចអនុម័តទាំងអស់ក្នុងពេលតែមួយ។",
    ),
    "bulk_title": ("Approve selected", "អនុម័តកំណត់ត្រាដែលបានជ្រើសរើស"),
    "bulk_approved_n": ("{n} records approved.", "បានអនុម័តកំណត់ត្រា {n}។"),
    "bulk_refused_title": ("{n} not approved", "{n} មិនបានអនុម័ត"),
    "bulk_why": ("Why", "មូលហេតុ"),
    "bulk_not_found": (
        "There is no record with this ID that you may see.",
        "មិនមានកំណត់ត្រាដែលមានលេខសម្គាល់នេះ ដែលអ្នកអាចមើលបានទេ។",
    ),
    "bulk_not_received": (
        "Only a received record can be approved; this one is {state}.",
        "មានតែកំណត់ត្រាដែលបានទទួលទេដែលអាចអនុម័តបាន។ កំណត់ត្រានេះ {state}។",
    ),
    "bulk_none_selected": (
        "Select at least one record to approve.",
        "សូមជ្រើសរើសកំណត់ត្រាយ៉ាងហោចណាស់មួយ ដើម្បីអនុម័ត។",
    ),
    "bulk_too_many": (
        "Select at most {max} records at a time.",
        "សូមជ្រើសរើសកំណត់ត្រាយ៉ាងច្រើន {max} ក្នុងមួយលើក។",
    ),
}
