"""The desk's navigation: one label per page."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav_label": ("Desk pages", "ទំព័រតុការងារ"),
    "nav_queue": ("Review queue", "បញ្ជីត្រួតពិនិត្យ"),
    "nav_placements": ("Placements", "ការដាក់ឱ្យនៅ"),
    "nav_conflicts": ("Conflicts", "ទិន្នន័យផ្ទុយគ្នា"),
    "nav_coverage": ("Inspection coverage", "ការត្រួតពិនិត្យស្ថាប័ន"),
    "nav_indicators": ("Indicators", "សូចនាករ"),
    "nav_exports": ("Exports", "នាំចេញទិន្នន័យ"),
    "nav_audit": ("Audit log", "កំណត់ហេតុសវនកម្ម"),
    "nav_users": ("Users", "អ្នកប្រើ"),
    "nav_devices": ("Devices", "ឧបករណ៍"),
    "nav_forms": ("Forms", "ទម្រង់"),
    "nav_collect": ("Configure ODK Collect", "កំណត់ ODK Collect"),
}
