"""The one catalog of what a change's result or a record's flag can say, in English and Khmer.

A push answers each change with a status and, when it is ``rejected``, ``errors``; a stored
record carries ``flags`` for a supervisor. Each entry of those lists is ``{"path", "code",
"message", "message_km"}``, and its texts come from here: validation (``app.forms``), the action
plan's rules (``app.forms.rules``) and the sync decision (``app.sync``) alike. A key is a code,
or ``code.variant`` where one code has several wordings. Placeholders are ``str.format`` fields.
``docs/api.md`` lists every code (a test checks it). HTTP-level errors are ``app.errors.CATALOG``.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    # --- a change that cannot be read or placed -------------------------------------------------
    "invalid_change": ("{detail}", "ការផ្លាស់ប្តូរនេះមិនត្រឹមត្រូវ៖ {detail}"),
    "unknown_form_version": (
        "Form {form_id} version {version} is not published here.",
        "ទម្រង់ {form_id} កំណែ {version} មិនត្រូវបានបោះពុម្ពផ្សាយនៅទីនេះទេ។",
    ),
    "form_not_allowed": (
        "Your role ({role}) does not fill {form_id}.",
        "តួនាទីរបស់អ្នក ({role}) មិនបំពេញទម្រង់ {form_id} ទេ។",
    ),
    "form_retired": (
        "Form {form_id} is retired: it takes no new record (existing ones can still be edited).",
        "ទម្រង់ {form_id} ត្រូវបានឈប់ប្រើ៖ មិនទទួលកំណត់ត្រាថ្មីទេ (កំណត់ត្រាដែលមានស្រាប់នៅតែអាចកែបាន)។",
    ),
    "out_of_scope": (
        "This record's location is outside your scope.",
        "ទីតាំងនៃកំណត់ត្រានេះនៅក្រៅវិសាលភាពរបស់អ្នក។",
    ),
    # --- the sync decision (app.sync.decide) ------------------------------------------------------
    "change_id_reused": (
        "This change_id was already used for a change with other content.",
        "change_id នេះត្រូវបានប្រើរួចហើយ សម្រាប់ការផ្លាស់ប្តូរដែលមានខ្លឹមសារផ្សេង។",
    ),
    "unknown_record": (
        "There is no such record for you to edit: the change has a base_rev, but no record "
        "with this record_id is yours to see.",
        "គ្មានកំណត់ត្រានេះសម្រាប់អ្នកកែទេ៖ ការផ្លាស់ប្តូរមាន base_rev "
        "ប៉ុន្តែគ្មានកំណត់ត្រាដែលមាន record_id នេះ ដែលអ្នកអាចមើលបាន។",
    ),
    "record_id_taken": (
        "This record_id cannot be used for a new record: make a new one.",
        "record_id នេះមិនអាចប្រើសម្រាប់កំណត់ត្រាថ្មីបានទេ៖ សូមបង្កើតលេខថ្មី។",
    ),
    "form_mismatch": (
        "This record belongs to form {current}, not {form}.",
        "កំណត់ត្រានេះជារបស់ទម្រង់ {current} មិនមែនទម្រង់ {form} ទេ។",
    ),
    "invalid_base_rev": (
        "base_rev {base_rev} is not a known revision of this record (current rev: {rev}).",
        "base_rev {base_rev} មិនមែនជាកំណែដែលស្គាល់នៃកំណត់ត្រានេះទេ (កំណែបច្ចុប្បន្ន៖ {rev})។",
    ),
    # --- validation against the form (app.forms) ------------------------------------------------
    "required": ("This field is required.", "ត្រូវការបំពេញ។"),
    "wrong_type": ("Expected {expected}.", "ត្រូវតែជា{expected_km}។"),
    "invalid_choice": (
        "'{value}' is not one of the choices.",
        "«{value}» មិនមែនជាជម្រើសដែលមានទេ។",
    ),
    "invalid_choice.filtered": (
        "'{value}' cannot be chosen with the answers given.",
        "«{value}» មិនអាចជ្រើសរើសបានតាមចម្លើយដែលបានផ្ដល់ទេ។",
    ),
    "constraint_failed": ("The value is not accepted.", "តម្លៃនេះមិនត្រូវបានទទួលយកទេ។"),
    "unknown_field": (
        "This field is not part of form {form_id} version {version}.",
        "ចំណុចនេះមិនមែនជាផ្នែកនៃទម្រង់ {form_id} កំណែ {version} ទេ។",
    ),
    "too_many_rows": ("At most {n} rows are allowed.", "អនុញ្ញាតយ៉ាងច្រើន {n} ជួរ។"),
    "too_few_rows": ("At least {n} rows are needed.", "ត្រូវការយ៉ាងតិច {n} ជួរ។"),
    "too_long": ("At most {n} characters are allowed.", "អនុញ្ញាតយ៉ាងច្រើន {n} តួអក្សរ។"),
    "out_of_range.below_min": ("The value must be at least {n}.", "តម្លៃត្រូវតែយ៉ាងតិច {n}។"),
    "out_of_range.above_max": ("The value must be at most {n}.", "តម្លៃត្រូវតែយ៉ាងច្រើន {n}។"),
    "invalid_reference": (
        "No {form_id} record with this ID was found.",
        "រកមិនឃើញកំណត់ត្រា {form_id} ដែលមានលេខសម្គាល់នេះទេ។",
    ),
    "invalid_reference.wrong_form": (
        "The record referred to is not a {form_id} record.",
        "កំណត់ត្រាដែលយោងមិនមែនជាកំណត់ត្រា {form_id} ទេ។",
    ),
    "duplicate_row_key": (
        "Another row carries the same {key}.",
        "មានជួរផ្សេងទៀតដែលមាន {key} ដូចគ្នា។",
    ),
    "invalid_location": (
        "A location code has 2, 4 or 6 digits (province, district, commune).",
        "លេខកូដទីតាំងមាន ២ ៤ ឬ ៦ ខ្ទង់ (ខេត្ត ស្រុក ឃុំ)។",
    ),
    # --- the action plan's rules (app.forms.rules): refusals, then flags ------------------------
    "under_3_residential_care": (
        "Residential care is not allowed for a child under 3 years old on the recommendation "
        "date. Family-based care must be considered: kinship care, foster care or family "
        "support.",
        "មិនអនុញ្ញាតឱ្យដាក់កុមារអាយុក្រោម ៣ ឆ្នាំ (គិតត្រឹមថ្ងៃផ្ដល់អនុសាសន៍) "
        "ក្នុងការថែទាំតាមមណ្ឌលទេ។ ត្រូវពិចារណាការថែទាំផ្អែកលើគ្រួសារ៖ "
        "ការថែទាំដោយសាច់ញាតិ ការថែទាំដោយគ្រួសារចិញ្ចឹមបណ្ដោះអាសន្ន ឬការគាំទ្រគ្រួសារ។",
    ),
    "case_plan_under_3_years": (
        "A case plan must cover at least 3 years: the end date must be on or after {min_end}.",
        "ផែនការករណីត្រូវគ្របដណ្ដប់រយៈពេលយ៉ាងតិច ៣ ឆ្នាំ៖ កាលបរិច្ឆេទបញ្ចប់ត្រូវតែនៅថ្ងៃ {min_end} ឬក្រោយនោះ។",
    ),
    "children_under_3": (
        "The inspection counts {n} children under 3 in residential care. No child under 3 "
        "may live in residential care: refer them for family-based care.",
        "ការអធិការកិច្ចរាប់ឃើញកុមារអាយុក្រោម ៣ ឆ្នាំ ចំនួន {n} នាក់ ក្នុងមណ្ឌល។ "
        "មិនត្រូវមានកុមារអាយុក្រោម ៣ ឆ្នាំ រស់នៅក្នុងការថែទាំតាមមណ្ឌលទេ៖ "
        "សូមបញ្ជូនពួកគេទៅការថែទាំផ្អែកលើគ្រួសារ។",
    ),
    "beds_above_baseline": (
        "{beds} beds reported, above the institution's baseline of {baseline}: "
        "no new beds may be added.",
        "បានរាយការណ៍គ្រែចំនួន {beds} លើសពីចំនួនគោល {baseline} របស់មណ្ឌល៖ មិនអនុញ្ញាតឱ្យបន្ថែមគ្រែថ្មីទេ។",
    ),
    "abuse_allegation": (
        "Abuse allegation reported: refer it to the provincial rapid response team now.",
        "មានការចោទប្រកាន់អំពីការរំលោភបំពាន៖ សូមបញ្ជូនទៅក្រុមឆ្លើយតបរហ័សថ្នាក់ខេត្តភ្លាមៗ។",
    ),
    "follow_up_under_2_years": (
        "Follow-up after reintegration (on {reintegrated}) has lasted less than 2 years: "
        "closing before {min_close} needs a supervisor's review.",
        "ការតាមដានក្រោយសមាហរណកម្ម (នៅថ្ងៃ {reintegrated}) មានរយៈពេលតិចជាង ២ ឆ្នាំ៖ "
        "ការបិទករណីមុនថ្ងៃ {min_close} ត្រូវការការពិនិត្យពីអ្នកគ្រប់គ្រង។",
    ),
    "abuse_reported": (
        "Abuse report: urgent, for the provincial rapid response team.",
        "របាយការណ៍អំពីការរំលោភបំពាន៖ បន្ទាន់ សម្រាប់ក្រុមឆ្លើយតបរហ័សថ្នាក់ខេត្ត។",
    ),
}

# English for ``n == 1`` where the general text says "{n} rows" (Khmer has no plural)
SINGULAR: dict[str, str] = {
    "too_many_rows": "At most 1 row is allowed.",
    "too_few_rows": "At least 1 row is needed.",
    "too_long": "At most 1 character is allowed.",
    "children_under_3": (
        "The inspection counts 1 child under 3 in residential care. No child under 3 "
        "may live in residential care: refer them for family-based care."
    ),
}

CODES: frozenset[str] = frozenset(key.split(".", 1)[0] for key in MESSAGES)

KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
# parameters that are numbers or dates written as text: Khmer digits in the Khmer message
# (identifiers and what the user typed, `value`, `key`, `form_id`, stay as they are)
NUMERIC_TEXT_PARAMS = frozenset({"version", "base_rev", "rev", "min_end", "reintegrated"})


def khmer_digits(text: str) -> str:
    """``text`` with its Latin digits written in Khmer digits (០–៩)."""
    return text.translate(KHMER_DIGITS)


def _in_khmer(name: str, value: Any) -> Any:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric or (name in NUMERIC_TEXT_PARAMS and value is not None):
        return khmer_digits(str(value))
    return value


def texts(entry: str, /, **params: Any) -> tuple[str, str]:
    """The English and Khmer text of ``entry`` (a code or ``code.variant``), filled in: "1 row",
    not "1 rows", in English; numbers and dates in Khmer digits in Khmer."""
    en, km = MESSAGES[entry]
    if params.get("n") == 1 and entry in SINGULAR:
        en = SINGULAR[entry]
    km_params = {name: _in_khmer(name, value) for name, value in params.items()}
    return en.format(**params), km.format(**km_params)


def detail(
    code: str, path: str = "", *, variant: str | None = None, **params: Any
) -> dict[str, Any]:
    """A result's error or flag: ``{"path", "code", "message", "message_km"}``."""
    en, km = texts(f"{code}.{variant}" if variant else code, **params)
    return {"path": path, "code": code, "message": en, "message_km": km}
