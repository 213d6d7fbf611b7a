"""The exports page (/review/exports)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "exports_title": ("Export records", "នាំចេញកំណត់ត្រា"),
    "exports_intro": (
        "Download a form's records in your area as a spreadsheet, one row per record.",
        "ទាញយកកំណត់ត្រានៃទម្រង់មួយក្នុងតំបន់របស់អ្នក ជាតារាង មួយជួរសម្រាប់កំណត់ត្រាមួយ។",
    ),
    "exports_what": ("What to export", "អ្វីដែលត្រូវនាំចេញ"),
    "exports_choose_form": ("Choose a form", "ជ្រើសរើសទម្រង់"),
    "exports_language": ("Headers and answers", "ចំណងជើងជួរឈរ និងចម្លើយ"),
    "exports_lang_en": ("English labels", "ស្លាកជាភាសាអង់គ្លេស"),
    "exports_lang_km": ("Khmer labels", "ស្លាកជាភាសាខ្មែរ"),
    "exports_lang_names": (
        "Field and choice names (for analysis software)",
        "ឈ្មោះវាល និងឈ្មោះជម្រើស (សម្រាប់កម្មវិធីវិភាគ)",
    ),
    "exports_format": ("File format", "ទម្រង់ឯកសារ"),
    "exports_format_xlsx": ("Excel workbook (.xlsx)", "សៀវភៅបញ្ជី Excel (.xlsx)"),
    "exports_format_csv": ("CSV (.csv)", "ឯកសារ CSV (.csv)"),
    "exports_repeats_hint": (
        "Repeated groups (such as the inspectors) come in their own sheet, or in their own "
        "CSV file inside a zip, linked to each record by its record ID.",
        "ក្រុមសំណួរដដែលៗ (ដូចជាមន្ត្រីអធិការកិច្ច) ស្ថិតនៅក្នុងសន្លឹកផ្ទាល់ខ្លួន ឬក្នុងឯកសារ CSV "
        "ផ្ទាល់ខ្លួននៅក្នុងឯកសារ zip ដោយភ្ជាប់ទៅកំណត់ត្រានីមួយៗតាមលេខសម្គាល់កំណត់ត្រា។",
    ),
    "exports_scope_note": (
        "Only the records in your area are exported. Each export is written in the audit log.",
        "មានតែកំណត់ត្រាក្នុងតំបន់របស់អ្នកប៉ុណ្ណោះដែលត្រូវនាំចេញ។ ការនាំចេញនីមួយៗត្រូវបានកត់ត្រាក្នុងកំណត់ហេតុសវនកម្ម។",
    ),
    "exports_download": ("Download", "ទាញយក"),
    "exports_pick_form": ("Choose the form to export.", "សូមជ្រើសរើសទម្រង់ដែលត្រូវនាំចេញ។"),
    "exports_pick_format": ("Choose a file format.", "សូមជ្រើសរើសទម្រង់ឯកសារ។"),
    "exports_bad_value": (
        "This choice is not one of the list: choose again.",
        "ជម្រើសនេះមិនមាននៅក្នុងបញ្ជីទេ៖ សូមជ្រើសរើសម្ដងទៀត។",
    ),
    "exports_no_such_form": (
        "There is no published form with this name.",
        "មិនមានទម្រង់ដែលបានផ្សព្វផ្សាយដែលមានឈ្មោះនេះទេ។",
    ),
}
