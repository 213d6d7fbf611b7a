"""Configure ODK Collect (/review/collect) and the forms' "needs Khmer" badge."""

MESSAGES: dict[str, tuple[str, str]] = {
    "collect_title": ("Configure ODK Collect", "កំណត់ ODK Collect"),
    "collect_intro": (
        "ODK Collect can fill your Homeward forms on a phone or tablet. Name the device, "
        "press the button, then scan the QR code with Collect: it sets Collect up for you.",
        "ODK Collect អាចបំពេញទម្រង់ Homeward របស់អ្នកនៅលើទូរស័ព្ទ ឬថេប្លេត។ "
        "សូមដាក់ឈ្មោះឧបករណ៍ ចុចប៊ូតុង បន្ទាប់មកស្កេនកូដ QR ដោយ Collect៖ "
        "វានឹងកំណត់ Collect ឱ្យអ្នក។",
    ),
    "collect_device_name": ("Device name", "ឈ្មោះឧបករណ៍"),
    "collect_device_hint": (
        "How the administrator will recognise it on the devices page (up to 60 characters).",
        "ឈ្មោះដែលអ្នកគ្រប់គ្រងប្រព័ន្ធនឹងស្គាល់នៅលើទំព័រឧបករណ៍ (មិនលើស ៦០ តួអក្សរ)។",
    ),
    "collect_default_device": ("Collect on my phone", "Collect លើទូរស័ព្ទរបស់ខ្ញុំ"),
    "collect_device_required": ("Enter a name for the device.", "សូមបញ្ចូលឈ្មោះឧបករណ៍។"),
    "collect_configure": ("Configure ODK Collect", "កំណត់ ODK Collect"),
    "collect_done": (
        "Collect is ready to set up on “{device}”.",
        "Collect រួចរាល់សម្រាប់កំណត់នៅលើ “{device}”។",
    ),
    "collect_step_open": (
        "In ODK Collect, add a project (Configure with QR code).",
        "នៅក្នុង ODK Collect សូមបន្ថែមគម្រោង (កំណត់ដោយកូដ QR)។",
    ),
    "collect_step_scan": (
        "Scan this code. Collect then lists your forms.",
        "ស្កេនកូដនេះ។ បន្ទាប់មក Collect នឹងបង្ហាញទម្រង់របស់អ្នក។",
    ),
    "collect_qr_title": (
        "QR code for ODK Collect's settings",
        "កូដ QR សម្រាប់ការកំណត់របស់ ODK Collect",
    ),
    "collect_qr_caption": (
        "Collect's settings: this server, your username, your forms kept up to date.",
        "ការកំណត់របស់ Collect៖ ម៉ាស៊ីនមេនេះ ឈ្មោះអ្នកប្រើរបស់អ្នក និងទម្រង់របស់អ្នកដែលធ្វើបច្ចុប្បន្នភាពជានិច្ច។",
    ),
    "collect_server_url": ("Server URL", "URL ម៉ាស៊ីនមេ"),
    "collect_username": ("Username", "ឈ្មោះអ្នកប្រើ"),
    "collect_expires": ("Works until", "ប្រើបានរហូតដល់"),
    "collect_shown_once": (
        "The code and the URL are a key to your account: they are shown once, on this page "
        "only. Do not share or photograph them.",
        "កូដ និង URL នេះជាកូនសោនៃគណនីរបស់អ្នក៖ វាបង្ហាញតែម្ដងគត់ នៅលើទំព័រនេះប៉ុណ្ណោះ។ កុំចែករំលែក ឬថតរូបវា។",
    ),
    "collect_lost_phone": (
        "Lost the device? Ask an administrator to revoke it on the devices page: Collect "
        "stops working at once.",
        "បាត់ឧបករណ៍? សូមស្នើអ្នកគ្រប់គ្រងប្រព័ន្ធឱ្យដកសិទ្ធិវានៅលើទំព័រឧបករណ៍៖ Collect ឈប់ដំណើរការភ្លាមៗ។",
    ),
    "collect_another": ("Configure another device", "កំណត់ឧបករណ៍មួយទៀត"),
    "collect_field_roles_only": (
        "ODK Collect is configured by field users (inspectors, CCWC members, social workers) "
        "for their own devices.",
        "ODK Collect ត្រូវបានកំណត់ដោយអ្នកប្រើតាមមូលដ្ឋាន (អធិការ សមាជិក គ.ក.ន.ក "
        "បុគ្គលិកសង្គមកិច្ច) សម្រាប់ឧបករណ៍ផ្ទាល់ខ្លួន។",
    ),
    "collect_or": ("Or fill your forms with ODK Collect:", "ឬបំពេញទម្រង់របស់អ្នកដោយ ODK Collect៖"),
    "needs_khmer": ("Needs Khmer", "ត្រូវការភាសាខ្មែរ"),
    "needs_khmer_hint": (
        "Some texts have no Khmer translation: English is shown in their place.",
        "អត្ថបទខ្លះមិនទាន់មានការបកប្រែជាភាសាខ្មែរ៖ បង្ហាញជាភាសាអង់គ្លេសជំនួស។",
    ),
}
