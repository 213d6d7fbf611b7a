"""A record's photos, signatures and GPS points on its page."""

MESSAGES: dict[str, tuple[str, str]] = {
    "open_full_size": ("Open full size", "បើកទំហំពេញ"),
    "gps_accuracy": ("(within {metres} m)", "(ក្នុងរង្វង់ {metres} ម៉ែត្រ)"),
    "file_not_received": ("Not received yet", "មិនទាន់បានទទួលនៅឡើយ"),
}
