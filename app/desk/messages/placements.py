"""The placements worklists and the placement steps on a record page."""

MESSAGES: dict[str, tuple[str, str]] = {
    "placements_title": ("Placements", "ការដាក់ឱ្យថែទាំ"),
    "placements_intro": (
        "A child enters residential care only with the CCWC's recommendation, authorized by "
        "DoSVY and certified by MoSVY. Oldest first.",
        "កុមារអាចចូលការថែទាំតាមមណ្ឌលបាន លុះត្រាតែមានអនុសាសន៍របស់ គ.ក.ន.ក "
        "ដែលមន្ទីរសង្គមកិច្ចបានអនុញ្ញាត និងក្រសួងសង្គមកិច្ចបានបញ្ជាក់។ ចាស់ជាងគេមកមុន។",
    ),
    "placements_worklists": ("Worklists", "បញ្ជីការងារ"),
    "placements_list_authorization": (
        "Waiting for DoSVY's authorization",
        "រង់ចាំការអនុញ្ញាតពីមន្ទីរសង្គមកិច្ច",
    ),
    "placements_list_certification": (
        "Waiting for MoSVY's certification",
        "រង់ចាំការបញ្ជាក់ពីក្រសួងសង្គមកិច្ច",
    ),
    "placements_recommendation": ("Recommendation {id}", "អនុសាសន៍ {id}"),
    "placements_age": ("Age on the recommendation date", "អាយុនៅថ្ងៃផ្ដល់អនុសាសន៍"),
    "placements_years": ("{n} years", "{n} ឆ្នាំ"),
    "placements_age_unknown": ("Not known", "មិនដឹង"),
    "placements_reason": ("Reason or note", "មូលហេតុ ឬកំណត់សម្គាល់"),
    "placements_reason_hint": (
        "Required to decline: say why.",
        "ចាំបាច់ពេលមិនយល់ព្រម៖ សូមប្រាប់មូលហេតុ។",
    ),
    "placements_authorize": ("Authorize", "អនុញ្ញាត"),
    "placements_certify": ("Certify", "បញ្ជាក់"),
    "placements_decline": ("Decline", "មិនយល់ព្រម"),
    "placements_step_title": ("Placement decision", "សេចក្ដីសម្រេចលើការដាក់ឱ្យថែទាំ"),
    "placements_no_step_authorization": (
        "DoSVY of the province authorizes or declines this recommendation.",
        "មន្ទីរសង្គមកិច្ចខេត្តជាអ្នកអនុញ្ញាត ឬមិនយល់ព្រមលើអនុសាសន៍នេះ។",
    ),
    "placements_no_step_certification": (
        "MoSVY certifies or declines this placement.",
        "ក្រសួងសង្គមកិច្ចជាអ្នកបញ្ជាក់ ឬមិនយល់ព្រមលើការដាក់ឱ្យថែទាំនេះ។",
    ),
    "placements_empty": ("Nothing is waiting here.", "គ្មានអ្វីកំពុងរង់ចាំនៅទីនេះទេ។"),
    "placements_done": ("Done: the placement is now {state}.", "រួចរាល់៖ ការដាក់ឱ្យថែទាំឥឡូវ {state}។"),
    "placements_reason_required": (
        "Enter the reason to decline the placement.",
        "សូមបញ្ចូលមូលហេតុ ដើម្បីមិនយល់ព្រមលើការដាក់ឱ្យថែទាំ។",
    ),
    "placements_moved_on": (
        "Someone acted on this placement in the meantime: it is now {state}. Nothing was changed.",
        "មានអ្នកផ្សេងបានសម្រេចលើការដាក់ឱ្យថែទាំនេះរួចហើយ៖ ឥឡូវវា {state}។ គ្មានអ្វីត្រូវបានផ្លាស់ប្ដូរទេ។",
    ),
    "placements_may_not": (
        "Your role may not take this step of the placement chain. Nothing was changed.",
        "តួនាទីរបស់អ្នកមិនអាចធ្វើជំហាននេះនៃការដាក់ឱ្យថែទាំបានទេ។ គ្មានអ្វីត្រូវបានផ្លាស់ប្ដូរទេ។",
    ),
}
