"""Administration pages: users, devices, forms (admin only)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "admin_only": (
        "Only an administrator may open this page or do this.",
        "មានតែអ្នកគ្រប់គ្រងប្រព័ន្ធទេ ដែលអាចបើកទំព័រនេះ ឬធ្វើការនេះបាន។",
    ),
    # --- users ---------------------------------------------------------------------------------
    "admin_users_title": ("Users", "អ្នកប្រើ"),
    "admin_users_caption": ("Every account, by username", "គណនីទាំងអស់ តាមឈ្មោះអ្នកប្រើ"),
    "admin_col_username": ("Username", "ឈ្មោះអ្នកប្រើ"),
    "admin_col_role": ("Role", "តួនាទី"),
    "admin_col_scope": ("Scope", "វិសាលភាព"),
    "admin_col_status": ("Status", "ស្ថានភាព"),
    "admin_col_last_sign_in": ("Last sign-in", "ចូលចុងក្រោយ"),
    "admin_col_last_sync": ("Last sync", "សមកាលកម្មចុងក្រោយ"),
    "admin_col_last_push": ("Last upload", "ផ្ទុកឡើងចុងក្រោយ"),
    "admin_col_actions": ("Actions", "សកម្មភាព"),
    "admin_national": ("National", "ថ្នាក់ជាតិ"),
    "admin_active": ("Active", "សកម្ម"),
    "admin_disabled": ("Disabled", "បានបិទ"),
    "admin_never": ("Never", "មិនដែល"),
    "admin_disable": ("Disable {username}", "បិទគណនី {username}"),
    "admin_enable": ("Enable {username}", "បើកគណនី {username}"),
    "admin_reset_password": ("Reset password of {username}", "កំណត់ពាក្យសម្ងាត់ថ្មីឱ្យ {username}"),
    "admin_new_password": ("New password for {username}", "ពាក្យសម្ងាត់ថ្មីសម្រាប់ {username}"),
    "admin_new_password_hint": (
        "Leave empty to get a temporary password, shown once.",
        "ទុកទទេ ដើម្បីទទួលបានពាក្យសម្ងាត់បណ្តោះអាសន្ន ដែលបង្ហាញតែម្តងប៉ុណ្ណោះ។",
    ),
    "admin_create_title": ("Create a user", "បង្កើតអ្នកប្រើថ្មី"),
    "admin_username_hint": (
        "2 to 64 characters: lowercase letters, digits, '.', '_' or '-'.",
        "ពី ២ ដល់ ៦៤ តួ៖ អក្សរតូច លេខ '.' '_' ឬ '-'។",
    ),
    "admin_password_hint": (
        "At least 8 characters. Give it to the person directly, never by a public channel.",
        "យ៉ាងហោចណាស់ ៨ តួ។ សូមប្រគល់ដោយផ្ទាល់ទៅម្ចាស់ កុំផ្ញើតាមបណ្តាញសាធារណៈ។",
    ),
    "admin_role": ("Role", "តួនាទី"),
    "admin_choose_role": ("Choose a role", "សូមជ្រើសរើសតួនាទី"),
    "admin_scope": ("Scope (location code)", "វិសាលភាព (លេខកូដទីតាំង)"),
    "admin_scope_hint": (
        "A province (2 digits), district (4) or commune (6) code; empty for national. "
        "Inspectors and social workers: a province or district; CCWC members: a commune; "
        "DoSVY supervisors: a province; MoSVY and administrators: national.",
        "លេខកូដខេត្ត (២ខ្ទង់) ស្រុក (៤ខ្ទង់) ឬឃុំ (៦ខ្ទង់) ទុកទទេសម្រាប់ថ្នាក់ជាតិ។ "
        "អធិការ និងបុគ្គលិកសង្គមកិច្ច៖ ខេត្ត ឬស្រុក សមាជិក គ.ក.ន.ក៖ ឃុំ "
        "អ្នកគ្រប់គ្រងនៃមន្ទីរ៖ ខេត្ត ក្រសួង និងអ្នកគ្រប់គ្រងប្រព័ន្ធ៖ ថ្នាក់ជាតិ។",
    ),
    "admin_provinces": ("Province codes", "លេខកូដខេត្ត"),
    "admin_create": ("Create user", "បង្កើតអ្នកប្រើ"),
    "admin_username_invalid": (
        "Enter a username of 2 to 64 lowercase letters, digits, '.', '_' or '-'.",
        "សូមបញ្ចូលឈ្មោះអ្នកប្រើពី ២ ដល់ ៦៤ តួ ជាអក្សរតូច លេខ '.' '_' ឬ '-'។",
    ),
    "admin_user_exists": (
        "A user named {username} already exists.",
        "មានអ្នកប្រើឈ្មោះ {username} រួចហើយ។",
    ),
    "admin_password_short": (
        "The password needs at least {n} characters.",
        "ពាក្យសម្ងាត់ត្រូវមានយ៉ាងហោចណាស់ {n} តួ។",
    ),
    "admin_role_required": ("Choose a role.", "សូមជ្រើសរើសតួនាទី។"),
    "admin_scope_invalid": (
        "The scope is a code of 2, 4 or 6 digits, or empty for national.",
        "វិសាលភាពជាលេខកូដ ២ ៤ ឬ ៦ ខ្ទង់ ឬទុកទទេសម្រាប់ថ្នាក់ជាតិ។",
    ),
    "admin_scope_level": (
        "This role needs a scope of level: {levels}.",
        "តួនាទីនេះត្រូវការវិសាលភាពកម្រិត៖ {levels}។",
    ),
    "admin_scope_unknown": (
        "No location has the code {code}.",
        "គ្មានទីតាំងណាមានលេខកូដ {code} ទេ។",
    ),
    "admin_not_yourself": (
        "You cannot disable your own account.",
        "អ្នកមិនអាចបិទគណនីរបស់ខ្លួនឯងបានទេ។",
    ),
    "admin_done_created": ("User {username} created.", "បានបង្កើតអ្នកប្រើ {username}។"),
    "admin_done_disabled": (
        "User {username} disabled: their tokens and desk sessions have ended.",
        "បានបិទអ្នកប្រើ {username}៖ សញ្ញាសម្គាល់ និងវគ្គប្រើតុការងាររបស់គាត់បានបញ្ចប់។",
    ),
    "admin_done_enabled": ("User {username} enabled.", "បានបើកអ្នកប្រើ {username} វិញ។"),
    "admin_password_title": ("Password reset", "កំណត់ពាក្យសម្ងាត់ឡើងវិញ"),
    "admin_password_set": (
        "The password of {username} has been changed; every device and desk session of "
        "theirs is signed out.",
        "ពាក្យសម្ងាត់របស់ {username} ត្រូវបានប្តូរ ហើយឧបករណ៍ និងវគ្គតុការងារទាំងអស់របស់គាត់ត្រូវបានចាកចេញ។",
    ),
    "admin_temporary_password": ("Temporary password", "ពាក្យសម្ងាត់បណ្តោះអាសន្ន"),
    "admin_temporary_hint": (
        "Shown only this once: give it to {username}, who signs in with it.",
        "បង្ហាញតែម្តងនេះប៉ុណ្ណោះ៖ សូមប្រគល់ឱ្យ {username} ដើម្បីចូលប្រើ។",
    ),
    "admin_back_to_users": ("Back to users", "ត្រឡប់ទៅបញ្ជីអ្នកប្រើ"),
    # --- devices -------------------------------------------------------------------------------
    "admin_devices_title": ("Devices", "ឧបករណ៍"),
    "admin_devices_caption": (
        "Tablets and phones that signed in, newest sign-in first",
        "ថេប្លេត និងទូរស័ព្ទដែលបានចូល ថ្មីបំផុតមុន",
    ),
    "admin_devices_intro": (
        "Revoke a lost tablet: its sign-ins end at once and its next sync is refused. "
        "Work queued on it stays on the tablet until someone signs in on it again.",
        "ដកសិទ្ធិថេប្លេតដែលបាត់៖ ការចូលរបស់វាបញ្ចប់ភ្លាម ហើយការធ្វើសមកាលកម្មលើកក្រោយត្រូវបានបដិសេធ។ "
        "ការងារដែលរង់ចាំលើវានៅតែលើថេប្លេត រហូតដល់មានគេចូលម្តងទៀត។",
    ),
    "admin_col_device": ("Device", "ឧបករណ៍"),
    "admin_col_user": ("User", "អ្នកប្រើ"),
    "admin_col_first_sign_in": ("First sign-in", "ចូលដំបូង"),
    "admin_col_state": ("State", "ស្ថានភាព"),
    "admin_device_live": ("Signed in", "កំពុងចូល"),
    "admin_device_revoked": ("Revoked {when}", "បានដកសិទ្ធិ {when}"),
    "admin_device_signed_out": ("Signed out", "បានចាកចេញ"),
    "admin_revoke_device": ("Revoke device {device}", "ដកសិទ្ធិឧបករណ៍ {device}"),
    "admin_no_devices": ("No device has signed in yet.", "មិនទាន់មានឧបករណ៍ណាចូលនៅឡើយ។"),
    "admin_done_revoked": (
        "Device {device} revoked: {n} sign-ins ended.",
        "បានដកសិទ្ធិឧបករណ៍ {device}៖ ការចូលចំនួន {n} បានបញ្ចប់។",
    ),
    # --- forms ---------------------------------------------------------------------------------
    "admin_forms_title": ("Forms", "ទម្រង់"),
    "admin_forms_caption": ("Every form version stored here", "កំណែទម្រង់ទាំងអស់ដែលមាននៅទីនេះ"),
    "admin_col_form": ("Form", "ទម្រង់"),
    "admin_col_version": ("Version", "កំណែ"),
    "admin_col_published": ("Published", "បោះពុម្ពផ្សាយ"),
    "admin_col_roles": ("Filled by", "អ្នកបំពេញ"),
    "admin_draft": ("Draft (not published)", "សេចក្តីព្រាង (មិនទាន់បោះពុម្ពផ្សាយ)"),
    "admin_retired": ("Retired {when}", "បានឈប់ប្រើ {when}"),
    "admin_in_field": ("In the field", "កំពុងប្រើ"),
    "admin_retire": ("Retire {form}", "ឈប់ប្រើ {form}"),
    "admin_restore": ("Restore {form}", "ប្រើ {form} វិញ"),
    "admin_preview": ("Preview", "មើលជាមុន"),
    "admin_retire_hint": (
        "A retired form is no longer offered in the field app and takes no new record. Its "
        "records stay: readable, exported, pulled to devices, and still editable.",
        "ទម្រង់ដែលឈប់ប្រើ លែងបង្ហាញក្នុងកម្មវិធីតាមមូលដ្ឋាន ហើយមិនទទួលកំណត់ត្រាថ្មីទេ។ "
        "កំណត់ត្រារបស់វានៅដដែល៖ អាចអាន នាំចេញ ទាញទៅឧបករណ៍ និងកែបាន។",
    ),
    "admin_upload_title": ("Upload an XLSForm", "ផ្ទុកឡើង XLSForm"),
    "admin_upload_file": ("XLSForm workbook (.xlsx or .xls)", "ឯកសារ XLSForm (.xlsx ឬ .xls)"),
    "admin_upload_hint": (
        "Nothing reaches the field yet: you will see what maps before publishing.",
        "មិនទាន់មានអ្វីទៅដល់មូលដ្ឋានទេ៖ អ្នកនឹងឃើញអ្វីដែលបំប្លែងបាន មុនពេលបោះពុម្ពផ្សាយ។",
    ),
    "admin_upload": ("Upload and preview", "ផ្ទុកឡើង និងមើលជាមុន"),
    "admin_file_required": ("Choose a workbook to upload.", "សូមជ្រើសរើសឯកសារដើម្បីផ្ទុកឡើង។"),
    "admin_file_too_large": (
        "The workbook is larger than {n} MB.",
        "ឯកសារធំជាង {n} MB។",
    ),
    "admin_xlsform_refused": (
        "The workbook cannot be imported. Problems found: {n}, listed by row below.",
        "មិនអាចនាំចូលឯកសារនេះបានទេ។ បញ្ហាដែលរកឃើញ៖ {n} ដែលរាយតាមជួរខាងក្រោម។",
    ),
    "admin_issues_caption": ("What does not map, by row", "អ្វីដែលបំប្លែងមិនបាន តាមជួរ"),
    "admin_col_sheet": ("Sheet", "សន្លឹក"),
    "admin_col_row": ("Row", "ជួរ"),
    "admin_col_feature": ("Feature", "លក្ខណៈ"),
    "admin_col_problem": ("Problem", "បញ្ហា"),
    "admin_version_exists": (
        "{form} version {version} is already published with other content: give the "
        "workbook a new version.",
        "{form} កំណែ {version} ត្រូវបានបោះពុម្ពផ្សាយរួចហើយ ដោយមានខ្លឹមសារផ្សេង៖ សូមដាក់កំណែថ្មីឱ្យឯកសារ។",
    ),
    "admin_preview_title": ("{form}, version {version}", "{form} កំណែ {version}"),
    "admin_preview_intro": (
        "Everything below mapped onto Homeward's form. Check the fields, then publish.",
        "អ្វីៗខាងក្រោមបានបំប្លែងទៅជាទម្រង់ Homeward។ សូមពិនិត្យវាល រួចបោះពុម្ពផ្សាយ។",
    ),
    "admin_fields_caption": ("Fields", "វាល"),
    "admin_col_field": ("Field", "វាល"),
    "admin_col_type": ("Type", "ប្រភេទ"),
    "admin_col_label_en": ("Label (English)", "ស្លាក (អង់គ្លេស)"),
    "admin_col_label_km": ("Label (Khmer)", "ស្លាក (ខ្មែរ)"),
    "admin_col_required": ("Required", "ចាំបាច់"),
    "admin_col_choices": ("Choices", "ជម្រើស"),
    "admin_yes": ("yes", "បាទ/ចាស"),
    "admin_when": ("when {condition}", "នៅពេល {condition}"),
    "admin_warnings": ("Warnings", "ការព្រមាន"),
    "admin_no_khmer": (
        "These labels have no Khmer (the English is shown): {fields}",
        "ស្លាកទាំងនេះគ្មានភាសាខ្មែរ (បង្ហាញជាភាសាអង់គ្លេស)៖ {fields}",
    ),
    "admin_no_warnings": ("No warning.", "គ្មានការព្រមានទេ។"),
    "admin_warnings_caption": (
        "What the import ignored or filled in, by row",
        "អ្វីដែលការនាំចូលបានរំលង ឬបំពេញបន្ថែម តាមជួរ",
    ),
    "admin_col_warning": ("Warning", "ការព្រមាន"),
    "admin_publish": ("Publish", "បោះពុម្ពផ្សាយ"),
    "admin_published_on": ("Published {when}", "បានបោះពុម្ពផ្សាយ {when}"),
    "admin_done_published": (
        "Published: field devices get this version at their next sync.",
        "បានបោះពុម្ពផ្សាយ៖ ឧបករណ៍នឹងទទួលកំណែនេះនៅពេលធ្វើសមកាលកម្មលើកក្រោយ។",
    ),
    "admin_done_retired": (
        "{form} retired from the field; its records stay.",
        "{form} ត្រូវបានឈប់ប្រើនៅមូលដ្ឋាន ហើយកំណត់ត្រារបស់វានៅដដែល។",
    ),
    "admin_done_restored": ("{form} is back in the field.", "{form} ត្រូវបានប្រើនៅមូលដ្ឋានវិញ។"),
    "admin_back_to_forms": ("Back to forms", "ត្រឡប់ទៅបញ្ជីទម្រង់"),
    "admin_form_retired_notice": (
        "This form is retired: publishing a version does not bring it back to the field.",
        "ទម្រង់នេះត្រូវបានឈប់ប្រើ៖ ការបោះពុម្ពផ្សាយកំណែថ្មី មិននាំវាត្រឡប់ទៅមូលដ្ឋានវិញទេ។",
    ),
}
