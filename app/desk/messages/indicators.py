"""The indicators page (/review/indicators) and the queue's note for its links."""

MESSAGES: dict[str, tuple[str, str]] = {
    "indicators_title": ("The action plan's indicators", "សូចនាករនៃផែនការសកម្មភាព"),
    "indicators_intro": (
        "Each figure is computed from the records in your scope and set against the plan's "
        "target. Every number links to the records behind it.",
        "តួលេខនីមួយៗត្រូវបានគណនាពីកំណត់ត្រាក្នុងវិសាលភាពរបស់អ្នក ហើយប្រៀបធៀបនឹងគោលដៅនៃផែនការ។ "
        "លេខនីមួយៗភ្ជាប់ទៅកំណត់ត្រាដែលនៅពីក្រោយវា។",
    ),
    "indicators_year": ("Year", "ឆ្នាំ"),
    "indicators_province": ("Province", "ខេត្ត"),
    "indicators_all_provinces": ("All provinces in your scope", "គ្រប់ខេត្តក្នុងវិសាលភាពរបស់អ្នក"),
    "indicators_show": ("Show", "បង្ហាញ"),
    "indicators_as_of": ("Figures as of {date}.", "តួលេខគិតត្រឹមថ្ងៃ {date}។"),
    "indicators_bad_year": (
        "Choose a year between {first} and {last}.",
        "សូមជ្រើសរើសឆ្នាំចន្លោះពី {first} ដល់ {last}។",
    ),
    "indicators_name_children_reintegrated": (
        "Children reintegrated with their families",
        "កុមារដែលបានធ្វើសមាហរណកម្មទៅក្នុងគ្រួសារវិញ",
    ),
    "indicators_name_children_in_residential_care": (
        "Children living in residential care",
        "កុមាររស់នៅក្នុងមណ្ឌលថែទាំកុមារ",
    ),
    "indicators_name_children_in_care_with_case_plan": (
        "Children in residential care with a case plan",
        "កុមារក្នុងមណ្ឌលថែទាំដែលមានផែនការករណី",
    ),
    "indicators_name_children_under_3_in_residential_care": (
        "Children under 3 in residential care",
        "កុមារអាយុក្រោម ៣ ឆ្នាំក្នុងមណ្ឌលថែទាំ",
    ),
    "indicators_name_new_institutions": ("New institutions opened", "មណ្ឌលថែទាំថ្មីដែលបានបើក"),
    "indicators_name_institutions_inspected_twice": (
        "Institutions inspected twice in the year",
        "មណ្ឌលដែលបានអធិការកិច្ចពីរដងក្នុងឆ្នាំ",
    ),
    "indicators_name_families_in_parenting_programmes": (
        "Families reached with parenting programmes",
        "គ្រួសារដែលបានចូលរួមកម្មវិធីអប់រំការចិញ្ចឹមបីបាច់កូន",
    ),
    "indicators_how_children_reintegrated": (
        "Case closures in the year whose reason is “reintegration complete”, approved by the "
        "supervisor; each child once.",
        "ការបិទករណីក្នុងឆ្នាំដោយមូលហេតុ «សមាហរណកម្មបានបញ្ចប់» ដែលអ្នកគ្រប់គ្រងបានយល់ព្រម; កុមារម្នាក់រាប់តែម្ដង។",
    ),
    "indicators_how_children_in_residential_care": (
        "Registered children under 18, admitted and not yet reintegrated or closed on the day.",
        "កុមារអាយុក្រោម ១៨ ឆ្នាំដែលបានចុះឈ្មោះ ចូលមណ្ឌល ហើយមិនទាន់ធ្វើសមាហរណកម្ម ឬបិទករណីនៅថ្ងៃនោះ។",
    ),
    "indicators_how_children_in_care_with_case_plan": (
        "Of the children in residential care, those with a case plan dated on or before the day.",
        "ក្នុងចំណោមកុមារក្នុងមណ្ឌលថែទាំ អ្នកដែលមានផែនការករណីចុះកាលបរិច្ឆេទមុន ឬនៅថ្ងៃនោះ។",
    ),
    "indicators_how_children_under_3_in_residential_care": (
        "Children in residential care younger than 3 on the day.",
        "កុមារក្នុងមណ្ឌលថែទាំដែលមានអាយុក្រោម ៣ ឆ្នាំនៅថ្ងៃនោះ។",
    ),
    "indicators_how_new_institutions": (
        "Institutions whose opening date falls in the year.",
        "មណ្ឌលដែលកាលបរិច្ឆេទបើកស្ថិតក្នុងឆ្នាំនោះ។",
    ),
    "indicators_how_institutions_inspected_twice": (
        "Institutions operating in the year with an inspection in January–June and another in "
        "July–December.",
        "មណ្ឌលដែលដំណើរការក្នុងឆ្នាំ ហើយមានការអធិការកិច្ចក្នុងខែមករា–មិថុនា និងម្ដងទៀតក្នុងខែកក្កដា–ធ្នូ។",
    ),
    "indicators_how_families_in_parenting_programmes": (
        "Families whose follow-up visit says they attended a parenting programme, since the "
        "plan's first year; each family once.",
        "គ្រួសារដែលការចុះតាមដានបញ្ជាក់ថាបានចូលរួមកម្មវិធីអប់រំការចិញ្ចឹមបីបាច់កូន "
        "ចាប់ពីឆ្នាំទីមួយនៃផែនការ; គ្រួសារនីមួយៗរាប់តែម្ដង។",
    ),
    "indicators_value": ("Result", "លទ្ធផល"),
    "indicators_target": ("Target", "គោលដៅ"),
    "indicators_status": ("Status", "ស្ថានភាព"),
    "indicators_met": ("Target met", "សម្រេចគោលដៅ"),
    "indicators_not_met": ("Not yet met", "មិនទាន់សម្រេចគោលដៅ"),
    "indicators_no_data": ("Nothing to count", "គ្មានអ្វីត្រូវរាប់"),
    "indicators_at_most": ("at most {n}", "យ៉ាងច្រើន {n}"),
    "indicators_at_least": ("at least {n}", "យ៉ាងតិច {n}"),
    "indicators_unit_children": ("{n} children", "កុមារ {n} នាក់"),
    "indicators_unit_institutions": ("{n} institutions", "មណ្ឌល {n}"),
    "indicators_unit_families": ("{n} families", "គ្រួសារ {n}"),
    "indicators_unit_percent": ("{n} %", "{n} ភាគរយ"),
    "indicators_count_of": ("{count} of {of}", "{count} ក្នុងចំណោម {of}"),
    "indicators_chart_desc": (
        "{name}: {value} against a target of {target}.",
        "{name}៖ {value} ធៀបនឹងគោលដៅ {target}។",
    ),
    "indicators_splits": (
        "Split by province, sex, age and disability",
        "បែងចែកតាមខេត្ត ភេទ អាយុ និងពិការភាព",
    ),
    "indicators_split_province": ("Province", "ខេត្ត"),
    "indicators_split_sex": ("Sex", "ភេទ"),
    "indicators_split_age_band": ("Age (years)", "អាយុ (ឆ្នាំ)"),
    "indicators_split_disability": ("Disability", "ពិការភាព"),
    "indicators_key_female": ("Girls", "ស្រី"),
    "indicators_key_male": ("Boys", "ប្រុស"),
    "indicators_key_yes": ("With a disability", "មានពិការភាព"),
    "indicators_key_no": ("Without a disability", "គ្មានពិការភាព"),
    "indicators_key_unknown": ("Not known", "មិនដឹង"),
    "indicators_records_behind": ("The records behind this figure", "កំណត់ត្រាដែលនៅពីក្រោយតួលេខនេះ"),
    "indicators_phases_title": (
        "The plan's yearly reintegration phases",
        "ដំណាក់កាលសមាហរណកម្មប្រចាំឆ្នាំនៃផែនការ",
    ),
    "indicators_phases_desc": (
        "Children reintegrated each year beside the plan's targets: 800 in its first year, "
        "1,200 in the second and 1,500 in the third.",
        "កុមារដែលបានធ្វើសមាហរណកម្មប្រចាំឆ្នាំ ធៀបនឹងគោលដៅនៃផែនការ៖ ៨០០ នាក់នៅឆ្នាំទីមួយ "
        "១ ២០០ នាក់នៅឆ្នាំទីពីរ និង ១ ៥០០ នាក់នៅឆ្នាំទីបី។",
    ),
    "indicators_plan_year": ("Plan year {n}", "ឆ្នាំទី {n} នៃផែនការ"),
    "indicators_not_plan_year": ("Outside the plan", "ក្រៅផែនការ"),
    "indicators_reintegrated": ("Reintegrated", "បានធ្វើសមាហរណកម្ម"),
    "indicators_targets_national": (
        "Targets are the plan's national targets for the five provinces.",
        "គោលដៅជាគោលដៅថ្នាក់ជាតិនៃផែនការសម្រាប់ខេត្តទាំងប្រាំ។",
    ),
    "indicators_queue_note": (
        "Showing the records behind “{indicator}”, {year}.",
        "កំពុងបង្ហាញកំណត់ត្រាដែលនៅពីក្រោយ «{indicator}» ឆ្នាំ {year}។",
    ),
    "indicators_back": ("Back to the indicators", "ត្រឡប់ទៅសូចនាករវិញ"),
}
