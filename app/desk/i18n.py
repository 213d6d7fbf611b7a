"""Every label and message of the desk, in English and Khmer: one catalog, one lookup.

``MESSAGES[key] = (English, Khmer)``; ``text(lang, key, **params)`` fills ``{name}``
placeholders. A test checks that every key used by a template or view is here, that both
languages are given, that Khmer is not English, and that both carry the same placeholders.
Form labels do not live here: they come from each form's schema (``{"en", "km"}``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Literal

from app.desk.messages import area_messages

Lang = Literal["en", "km"]
LANGUAGES: tuple[Lang, ...] = ("en", "km")
LANG_COOKIE = "homeward_lang"
# Cambodia keeps one offset all year (no daylight saving).
CAMBODIA = timezone(timedelta(hours=7), "ICT")

MONTHS: dict[Lang, tuple[str, ...]] = {
    "en": (
        "January", "February", "March", "April", "May", "June", "July",
        "August", "September", "October", "November", "December",
    ),
    "km": (
        "មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា",
        "សីហា", "កញ្ញា", "តុលា", "វិច្ឆិកា", "ធ្នូ",
    ),
}  # fmt: skip

MESSAGES: dict[str, tuple[str, str]] = {
    "app_name": ("Homeward: supervisors' desk", "Homeward៖ តុការងាររបស់អ្នកគ្រប់គ្រង"),
    "skip_to_content": ("Skip to main content", "រំលងទៅមាតិកាចម្បង"),
    "language": ("Language", "ភាសា"),
    "sign_in_title": ("Sign in to the supervisors' desk", "ចូលប្រើតុការងាររបស់អ្នកគ្រប់គ្រង"),
    "sign_in_hint": (
        "Use the account you use in the field app or the API.",
        "សូមប្រើគណនីដែលអ្នកប្រើក្នុងកម្មវិធីតាមមូលដ្ឋាន ឬ API។",
    ),
    "username": ("Username", "ឈ្មោះអ្នកប្រើ"),
    "password": ("Password", "ពាក្យសម្ងាត់"),
    "sign_in": ("Sign in", "ចូល"),
    "sign_out": ("Sign out", "ចាកចេញ"),
    "signed_in_as": ("Signed in as {user}, {role}", "បានចូលជា {user}, {role}"),
    "invalid_credentials": (
        "Wrong username or password.",
        "ឈ្មោះអ្នកប្រើ ឬពាក្យសម្ងាត់មិនត្រឹមត្រូវ។",
    ),
    "username_required": ("Enter your username.", "សូមបញ្ចូលឈ្មោះអ្នកប្រើ។"),
    "password_required": ("Enter your password.", "សូមបញ្ចូលពាក្យសម្ងាត់។"),
    "too_many_attempts": (
        "Too many failed sign-ins: try again in {seconds} seconds.",
        "ការចូលបរាជ័យច្រើនដងពេក៖ សូមព្យាយាមម្ដងទៀតក្នុងរយៈពេល {seconds} វិនាទី។",
    ),
    "signed_out": ("You have signed out.", "អ្នកបានចាកចេញហើយ។"),
    "field_role_title": ("Use the field app", "សូមប្រើកម្មវិធីតាមមូលដ្ឋាន"),
    "field_role_text": (
        "The supervisors' desk is for DoSVY supervisors, MoSVY and administrators. "
        "As {role}, you collect and correct records in the field app.",
        "តុការងារនេះសម្រាប់អ្នកគ្រប់គ្រងនៃមន្ទីរសង្គមកិច្ច ក្រសួងសង្គមកិច្ច "
        "និងអ្នកគ្រប់គ្រងប្រព័ន្ធ។ ក្នុងនាមជា {role} អ្នកប្រមូល និងកែកំណត់ត្រានៅក្នុង"
        "កម្មវិធីតាមមូលដ្ឋាន។",
    ),
    "open_field_app": ("Open the field app", "បើកកម្មវិធីតាមមូលដ្ឋាន"),
    "role_inspector": ("inspector", "អធិការ"),
    "role_ccwc": ("CCWC member", "សមាជិក គ.ក.ន.ក"),
    "role_social_worker": ("social worker", "បុគ្គលិកសង្គមកិច្ច"),
    "role_dosvy_supervisor": ("DoSVY supervisor", "អ្នកគ្រប់គ្រងនៃមន្ទីរសង្គមកិច្ច"),
    "role_mosvy": ("MoSVY", "ក្រសួងសង្គមកិច្ច"),
    "role_admin": ("administrator", "អ្នកគ្រប់គ្រងប្រព័ន្ធ"),
    "queue_title": ("Review queue", "បញ្ជីរង់ចាំការពិនិត្យ"),
    "queue_sort_note": (
        "Abuse reports and flagged records come first, then the most recently changed.",
        "របាយការណ៍រំលោភបំពាន និងកំណត់ត្រាដែលមានសញ្ញាព្រមាន មកមុនគេ បន្ទាប់មកកំណត់ត្រាដែលបានផ្លាស់ប្ដូរចុងក្រោយ។",
    ),
    "counts_caption": (
        "Records in your area by review state",
        "កំណត់ត្រាក្នុងតំបន់របស់អ្នក តាមស្ថានភាពពិនិត្យ",
    ),
    "total": ("Total", "សរុប"),
    "filters": ("Filters", "តម្រង"),
    "filter_form": ("Form", "ទម្រង់"),
    "filter_state": ("Review state", "ស្ថានភាពពិនិត្យ"),
    "filter_province": ("Province", "ខេត្ត"),
    "filter_district": ("District", "ស្រុក"),
    "filter_flag": ("Flag", "សញ្ញាព្រមាន"),
    "filter_q": ("Search the records' text", "ស្វែងរកក្នុងអត្ថបទនៃកំណត់ត្រា"),
    "filter_from": ("Changed on or after", "ផ្លាស់ប្ដូរចាប់ពីថ្ងៃ"),
    "filter_to": ("Changed on or before", "ផ្លាស់ប្ដូររហូតដល់ថ្ងៃ"),
    "date_hint": ("For example, 2026-11-30", "ឧទាហរណ៍ 2026-11-30"),
    "any": ("Any", "ណាមួយ"),
    "apply_filters": ("Apply filters", "អនុវត្តតម្រង"),
    "clear_filters": ("Clear filters", "សម្អាតតម្រង"),
    "bad_date": (
        "Enter a date as year-month-day, for example 2026-11-30.",
        "សូមបញ្ចូលកាលបរិច្ឆេទជា ឆ្នាំ-ខែ-ថ្ងៃ ឧទាហរណ៍ 2026-11-30។",
    ),
    "state_received": ("Received", "បានទទួល"),
    "state_approved": ("Approved", "បានអនុម័ត"),
    "state_returned": ("Returned", "បានបញ្ជូនត្រឡប់"),
    "state_rejected": ("Rejected", "បានបដិសេធ"),
    "placement_recommended": ("Recommended", "បានផ្ដល់អនុសាសន៍"),
    "placement_authorized": ("Authorized", "បានអនុញ្ញាត"),
    "placement_certified": ("Certified", "បានបញ្ជាក់"),
    "placement_declined": ("Declined", "មិនបានយល់ព្រម"),
    "flag_any": ("Any flag", "សញ្ញាព្រមានណាមួយ"),
    "flag_abuse": ("Abuse allegation or report", "ការចោទប្រកាន់ ឬរបាយការណ៍រំលោភបំពាន"),
    "flag_children_under_3": ("Child under 3", "កុមារអាយុក្រោម ៣ ឆ្នាំ"),
    "flag_beds_above_baseline": ("Beds over baseline", "គ្រែលើសចំនួនគោល"),
    "flag_abuse_allegation": ("Abuse allegation", "ការចោទប្រកាន់អំពីការរំលោភបំពាន"),
    "flag_abuse_reported": ("Abuse report", "របាយការណ៍រំលោភបំពាន"),
    "flag_follow_up_under_2_years": ("Follow-up under 2 years", "ការតាមដានតិចជាង ២ ឆ្នាំ"),
    "flag_incomplete": ("Incomplete attachments", "ឯកសារភ្ជាប់មិនទាន់គ្រប់"),
    "flag_conflict": ("Open conflict", "ទិន្នន័យប៉ះទង្គិចមិនទាន់ដោះស្រាយ"),
    "col_record": ("Record", "កំណត់ត្រា"),
    "col_location": ("Location", "ទីតាំង"),
    "col_state": ("State", "ស្ថានភាព"),
    "col_flags": ("Flags", "សញ្ញាព្រមាន"),
    "col_changed": ("Last change", "ការផ្លាស់ប្ដូរចុងក្រោយ"),
    "col_by": ("Submitted by", "ដាក់ស្នើដោយ"),
    "no_records": ("No records match these filters.", "គ្មានកំណត់ត្រាណាត្រូវនឹងតម្រងទាំងនេះទេ។"),
    "matching": ("{n} matching records", "កំណត់ត្រាត្រូវគ្នា {n}"),
    "next_page": ("Next page", "ទំព័របន្ទាប់"),
    "first_page": ("Back to the first page", "ត្រឡប់ទៅទំព័រដំបូង"),
    "back_to_queue": ("Back to the queue", "ត្រឡប់ទៅបញ្ជីរង់ចាំ"),
    "about_record": ("About this record", "អំពីកំណត់ត្រានេះ"),
    "record_id": ("Record ID", "លេខសម្គាល់កំណត់ត្រា"),
    "form_version": ("Form version", "កំណែទម្រង់"),
    "revision": ("Revision", "កំណែ"),
    "review_state": ("Review state", "ស្ថានភាពពិនិត្យ"),
    "review_comment": ("Reviewer's comment", "មតិយោបល់របស់អ្នកពិនិត្យ"),
    "placement_state": ("Placement", "ការដាក់ឱ្យថែទាំ"),
    "created_by": ("Created by", "បង្កើតដោយ"),
    "created_at": ("First received", "ទទួលលើកដំបូង"),
    "data": ("Answers", "ចម្លើយ"),
    "row_n": ("Row {n}", "ជួរទី {n}"),
    "yes": ("Yes", "បាទ/ចាស"),
    "no": ("No", "ទេ"),
    "not_answered": ("Not answered", "មិនបានឆ្លើយ"),
    "flags": ("Flags", "សញ្ញាព្រមាន"),
    "no_flags": ("No flags.", "គ្មានសញ្ញាព្រមានទេ។"),
    "attachments_incomplete": (
        "Some photos or signatures of this record have not arrived yet.",
        "រូបថត ឬហត្ថលេខាខ្លះនៃកំណត់ត្រានេះ មិនទាន់មកដល់នៅឡើយ។",
    ),
    "conflicts": ("Open conflicts", "ទិន្នន័យប៉ះទង្គិចមិនទាន់ដោះស្រាយ"),
    "no_conflicts": ("No open conflicts.", "គ្មានទិន្នន័យប៉ះទង្គិចមិនទាន់ដោះស្រាយទេ។"),
    "field": ("Field", "វាល"),
    "server_value": ("Server value", "តម្លៃនៅលើម៉ាស៊ីនមេ"),
    "device_value": ("Device value", "តម្លៃនៅលើឧបករណ៍"),
    "review": ("Review", "ការពិនិត្យ"),
    "comment": ("Comment", "មតិយោបល់"),
    "comment_hint": (
        "Required to return or reject: say what must be corrected, or why.",
        "ចាំបាច់ពេលបញ្ជូនត្រឡប់ ឬបដិសេធ៖ សូមប្រាប់អ្វីដែលត្រូវកែ ឬមូលហេតុ។",
    ),
    "approve": ("Approve", "អនុម័ត"),
    "return": ("Return", "បញ្ជូនត្រឡប់"),
    "reject": ("Reject", "បដិសេធ"),
    "reviewed": ("Done: the record is now {state}.", "រួចរាល់៖ កំណត់ត្រានេះឥឡូវ {state}។"),
    "not_reviewable": (
        "This record is {state}: it can be reviewed again when a corrected version arrives.",
        "កំណត់ត្រានេះ {state}៖ អាចពិនិត្យម្ដងទៀតនៅពេលកំណែដែលបានកែមកដល់។",
    ),
    "may_not_review": (
        "Your role may read this record but not review it.",
        "តួនាទីរបស់អ្នកអាចអានកំណត់ត្រានេះ ប៉ុន្តែមិនអាចពិនិត្យបានទេ។",
    ),
    "error_summary": ("There is a problem", "មានបញ្ហា"),
    "comment_required": (
        "Enter a comment to return or reject the record.",
        "សូមបញ្ចូលមតិយោបល់ ដើម្បីបញ្ជូនត្រឡប់ ឬបដិសេធកំណត់ត្រា។",
    ),
    "already_reviewed": (
        "Someone reviewed this record in the meantime: it is now {state}.",
        "មានអ្នកផ្សេងបានពិនិត្យកំណត់ត្រានេះរួចហើយ៖ ឥឡូវវា {state}។",
    ),
    "trail": ("Review and placement trail", "ប្រវត្តិការពិនិត្យ និងការដាក់ឱ្យថែទាំ"),
    "no_trail": ("Not reviewed yet.", "មិនទាន់បានពិនិត្យនៅឡើយ។"),
    "action_approve": ("approved", "បានអនុម័ត"),
    "action_return": ("returned it", "បានបញ្ជូនត្រឡប់"),
    "action_reject": ("rejected it", "បានបដិសេធ"),
    "action_authorize": ("authorized the placement", "បានអនុញ្ញាតការដាក់ឱ្យថែទាំ"),
    "action_certify": ("certified the placement", "បានបញ្ជាក់ការដាក់ឱ្យថែទាំ"),
    "action_decline": ("declined the placement", "មិនបានយល់ព្រមលើការដាក់ឱ្យថែទាំ"),
    "action_reopen": ("reopened the placement", "បានបើកការដាក់ឱ្យថែទាំឡើងវិញ"),
    "history": ("Revision history", "ប្រវត្តិកំណែ"),
    "rev_by": ("Revision {rev} by {by}", "កំណែទី {rev} ដោយ {by}"),
    "unknown_person": ("an unknown user", "អ្នកប្រើមិនស្គាល់"),
    "device": ("Device", "ឧបករណ៍"),
    "captured_at": ("Captured", "បានកត់ត្រានៅ"),
    "received_at": ("Received", "បានទទួលនៅ"),
    "first_revision": ("The first version of the record.", "កំណែដំបូងនៃកំណត់ត្រា។"),
    "no_field_changed": ("No answer changed.", "គ្មានចម្លើយណាផ្លាស់ប្ដូរទេ។"),
    "before": ("Before", "មុន"),
    "after": ("After", "ក្រោយ"),
    "forbidden_title": ("Not allowed", "មិនអនុញ្ញាត"),
    "csrf_failed": (
        "This form has expired or did not come from this site, so nothing was changed. "
        "Go back, reload the page and try again.",
        "ទម្រង់នេះផុតកំណត់ ឬមិនបានមកពីគេហទំព័រនេះទេ ដូច្នេះគ្មានអ្វីត្រូវបានផ្លាស់ប្ដូរទេ។ "
        "សូមត្រឡប់ក្រោយ ផ្ទុកទំព័រឡើងវិញ ហើយព្យាយាមម្ដងទៀត។",
    ),
    "not_found_title": ("Page not found", "រកមិនឃើញទំព័រ"),
    "not_found_text": (
        "There is no record at this address that you may see.",
        "មិនមានកំណត់ត្រាដែលអ្នកអាចមើលបាននៅអាសយដ្ឋាននេះទេ។",
    ),
    "national": ("National", "ថ្នាក់ជាតិ"),
}


# every area's messages join the one catalog (a key defined twice fails at import)
for _key, _pair in area_messages().items():
    if _key in MESSAGES:
        raise RuntimeError(f"desk message {_key!r} defined twice (i18n and an area)")
    MESSAGES[_key] = _pair


def text(lang: str, key: str, /, **params: Any) -> str:
    """The message ``key`` in ``lang`` (English for an unknown language), filled in. An
    unknown key raises KeyError: a typo fails a test, never shows a blank."""
    english, khmer = MESSAGES[key]
    if not params:
        return khmer if lang == "km" else english
    if lang != "km":
        return english.format(**params)
    # numbers given to a Khmer message are written with Khmer digits
    shown = {
        name: format_number(v, lang)
        if isinstance(v, int | float) and not isinstance(v, bool)
        else v
        for name, v in params.items()
    }
    return khmer.format(**shown)


def pick_lang(value: str | None) -> Lang:
    return "km" if value == "km" else "en"


def localized(label: Any, lang: str) -> str:
    """A form schema's ``{"en", "km"}`` label (a dict or a LocalizedText) in ``lang``."""
    if label is None:
        return ""
    if isinstance(label, dict):
        return str(label.get(lang) or label.get("en") or "")
    return str(getattr(label, lang, None) or getattr(label, "en", ""))


_KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


def khmer_digits(value: str) -> str:
    """``value`` with its Latin digits written in Khmer."""
    return value.translate(_KHMER_DIGITS)


def in_lang_digits(value: str, lang: str) -> str:
    """Digits as the reader writes them: Khmer digits in Khmer, unchanged in English."""
    return khmer_digits(value) if lang == "km" else value


def format_number(value: int | float | None, lang: str) -> str:
    """A count or figure as people write it: ``11,788`` / ``១១.៧៨៨`` (CLDR's Khmer groups
    with a dot and marks decimals with a comma)."""
    if value is None:
        return ""
    english = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
    if lang != "km":
        return english
    swapped = english.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return khmer_digits(swapped)


def format_date(value: date | str | None, lang: str) -> str:
    """A date as people write it: ``30 November 2026`` / ``៣០ វិច្ឆិកា ២០២៦``."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        day = value
    return in_lang_digits(f"{day.day} {MONTHS[pick_lang(lang)][day.month - 1]} {day.year}", lang)


def format_datetime(value: datetime | str | None, lang: str) -> str:
    """A moment in Cambodia's time: ``30 November 2026, 14:05``."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        moment = value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(CAMBODIA)
    return f"{format_date(local.date(), lang)}, {in_lang_digits(f'{local:%H:%M}', lang)}"
