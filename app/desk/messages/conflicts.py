"""The conflicts page: two tablets changed one answer; a supervisor settles it."""

MESSAGES: dict[str, tuple[str, str]] = {
    "conflicts_title": ("Conflicts", "ទិន្នន័យប៉ះទង្គិចគ្នា"),
    "conflicts_intro": (
        "Two devices changed the same answer. The value that reached the server first is kept "
        "until you choose; your choice travels to the devices on their next sync.",
        "ឧបករណ៍ពីរបានផ្លាស់ប្ដូរចម្លើយដដែល។ តម្លៃដែលមកដល់ម៉ាស៊ីនមេមុនត្រូវបានរក្សាទុក "
        "រហូតដល់អ្នកជ្រើសរើស។ ការជ្រើសរើសរបស់អ្នកនឹងទៅដល់ឧបករណ៍នៅពេលធ្វើសមកាលកម្មលើកក្រោយ។",
    ),
    "conflicts_none": ("No open conflicts in your area.", "គ្មានទិន្នន័យប៉ះទង្គិចគ្នាក្នុងតំបន់របស់អ្នកទេ។"),
    "conflicts_by": ("By {by}", "ដោយ {by}"),
    "conflicts_on_device": ("device {device}", "ឧបករណ៍ {device}"),
    "conflicts_revision": ("revision {rev}", "កំណែទី {rev}"),
    "conflicts_keep_server": ("Keep server value", "រក្សាតម្លៃនៅលើម៉ាស៊ីនមេ"),
    "conflicts_keep_device": ("Keep device value", "រក្សាតម្លៃនៅលើឧបករណ៍"),
    "conflicts_value": ("Value", "តម្លៃ"),
    "conflicts_value_hint": (
        "Or type the right value for “{field}”.",
        "ឬវាយបញ្ចូលតម្លៃត្រឹមត្រូវសម្រាប់ «{field}»។",
    ),
    "conflicts_resolve": ("Resolve", "ដោះស្រាយ"),
    "conflicts_done": (
        "Resolved: a new revision goes to the devices on their next sync.",
        "បានដោះស្រាយ៖ កំណែថ្មីនឹងទៅដល់ឧបករណ៍នៅពេលធ្វើសមកាលកម្មលើកក្រោយ។",
    ),
    "conflicts_may_not": (
        "Your role may read conflicts but not resolve them. Nothing was changed.",
        "តួនាទីរបស់អ្នកអាចមើលទិន្នន័យប៉ះទង្គិចគ្នា ប៉ុន្តែមិនអាចដោះស្រាយបានទេ។ គ្មានអ្វីត្រូវបានផ្លាស់ប្ដូរទេ។",
    ),
    "conflicts_already_resolved": (
        "Someone resolved this conflict in the meantime. Nothing was changed.",
        "មានអ្នកផ្សេងបានដោះស្រាយទិន្នន័យប៉ះទង្គិចនេះរួចហើយ។ គ្មានអ្វីត្រូវបានផ្លាស់ប្ដូរទេ។",
    ),
    "conflicts_field_gone": (
        "This answer is no longer in the record. Nothing was changed.",
        "ចម្លើយនេះលែងមាននៅក្នុងកំណត់ត្រាហើយ។ គ្មានអ្វីត្រូវបានផ្លាស់ប្ដូរទេ។",
    ),
    "conflicts_does_not_fit": (
        "The value does not fit the form: {problem}",
        "តម្លៃនេះមិនត្រូវនឹងទម្រង់ទេ៖ {problem}",
    ),
    "conflicts_value_required": ("Enter a value.", "សូមបញ្ចូលតម្លៃ។"),
    "conflicts_not_typeable": (
        "This answer cannot be typed: keep the server's or the device's value.",
        "ចម្លើយនេះមិនអាចវាយបញ្ចូលបានទេ៖ សូមរក្សាតម្លៃនៅលើម៉ាស៊ីនមេ ឬនៅលើឧបករណ៍។",
    ),
    "conflicts_bad_integer": (
        "Enter a whole number, for example 12.",
        "សូមបញ្ចូលចំនួនគត់ ឧទាហរណ៍ 12។",
    ),
    "conflicts_bad_decimal": ("Enter a number, for example 2.5.", "សូមបញ្ចូលលេខ ឧទាហរណ៍ 2.5។"),
    "conflicts_bad_date": (
        "Enter a date as year-month-day, for example 2026-11-30.",
        "សូមបញ្ចូលកាលបរិច្ឆេទជា ឆ្នាំ-ខែ-ថ្ងៃ ឧទាហរណ៍ 2026-11-30។",
    ),
    "conflicts_bad_datetime": (
        "Enter a date and time with its offset, for example 2026-11-30T14:05:00+07:00.",
        "សូមបញ្ចូលកាលបរិច្ឆេទ និងម៉ោង ជាមួយតំបន់ម៉ោង ឧទាហរណ៍ 2026-11-30T14:05:00+07:00។",
    ),
    "conflicts_bad_yes_no": ("Enter yes or no.", "សូមបញ្ចូល បាទ/ចាស ឬ ទេ។"),
    "conflicts_bad_choice": (
        "Enter one of the form's choices (its name or its label).",
        "សូមបញ្ចូលជម្រើសមួយនៃទម្រង់ (ឈ្មោះ ឬស្លាក)។",
    ),
}
