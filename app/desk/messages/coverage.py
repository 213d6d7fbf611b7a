"""The inspection coverage page (/review/coverage)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "coverage_title": ("Inspection coverage", "ការគ្របដណ្ដប់នៃការអធិការកិច្ច"),
    "coverage_intro": (
        "Every institution in your scope with its two inspections of {year} (first half: "
        "January to June; second half: July to December). Institutions with an overdue "
        "inspection come first.",
        "មណ្ឌលទាំងអស់ក្នុងវិសាលភាពរបស់អ្នក ជាមួយការអធិការកិច្ចទាំងពីរលើកក្នុងឆ្នាំ {year} "
        "(ឆមាសទីមួយ៖ ខែមករា ដល់ខែមិថុនា ឆមាសទីពីរ៖ ខែកក្កដា ដល់ខែធ្នូ)។ "
        "មណ្ឌលដែលមានការអធិការកិច្ចហួសកាលកំណត់ បង្ហាញមុនគេ។",
    ),
    "coverage_totals_caption": ("Coverage in {year}", "ការគ្របដណ្ដប់ក្នុងឆ្នាំ {year}"),
    "coverage_institutions": ("Institutions", "មណ្ឌល"),
    "coverage_inspected_twice": ("Inspected twice", "បានអធិការកិច្ចពីរលើក"),
    "coverage_with_overdue": ("With an overdue inspection", "មានការអធិការកិច្ចហួសកាលកំណត់"),
    "coverage_year": ("Year", "ឆ្នាំ"),
    "coverage_bad_year": (
        "Enter a year between {first} and {last}.",
        "សូមបញ្ចូលឆ្នាំចន្លោះពី {first} ដល់ {last}។",
    ),
    "coverage_caption": (
        "Institutions and their inspections in {year}, overdue first",
        "មណ្ឌល និងការអធិការកិច្ចរបស់មណ្ឌលក្នុងឆ្នាំ {year} ដោយបង្ហាញការហួសកាលកំណត់មុន",
    ),
    "coverage_col_institution": ("Institution", "មណ្ឌល"),
    "coverage_first_half": ("First half (January–June)", "ឆមាសទីមួយ (មករា–មិថុនា)"),
    "coverage_second_half": ("Second half (July–December)", "ឆមាសទីពីរ (កក្កដា–ធ្នូ)"),
    "coverage_col_latest": ("Latest inspection", "ការអធិការកិច្ចចុងក្រោយ"),
    "coverage_col_girls": ("Girls under 18", "ក្មេងស្រីអាយុក្រោម ១៨ ឆ្នាំ"),
    "coverage_col_boys": ("Boys under 18", "ក្មេងប្រុសអាយុក្រោម ១៨ ឆ្នាំ"),
    "coverage_col_under_3": ("Children under 3", "កុមារអាយុក្រោម ៣ ឆ្នាំ"),
    "coverage_col_beds": ("Beds of baseline", "គ្រែធៀបនឹងចំនួនគោល"),
    "coverage_col_abuse": ("Abuse allegation", "ការចោទប្រកាន់អំពីការរំលោភបំពាន"),
    "coverage_status_done": ("Done", "បានធ្វើរួច"),
    "coverage_status_overdue": ("Overdue", "ហួសកាលកំណត់"),
    "coverage_status_due": ("Due now", "ដល់ពេលត្រូវធ្វើ"),
    "coverage_status_upcoming": ("Not yet due", "មិនទាន់ដល់ពេល"),
    "coverage_beds_of": ("{beds} of {baseline}", "{beds} ធៀបនឹង {baseline}"),
    "coverage_never_inspected": (
        "No inspection recorded this year or last year.",
        "គ្មានការអធិការកិច្ចត្រូវបានកត់ត្រាក្នុងឆ្នាំនេះ ឬឆ្នាំមុនទេ។",
    ),
    "coverage_page_of": ("Page {page} of {pages}", "ទំព័រទី {page} នៃ {pages}"),
    "coverage_previous_page": ("Previous page", "ទំព័រមុន"),
    "coverage_no_institutions": (
        "No institution in your scope matches these filters.",
        "គ្មានមណ្ឌលណាមួយក្នុងវិសាលភាពរបស់អ្នក ដែលត្រូវនឹងតម្រងទាំងនេះទេ។",
    ),
}
