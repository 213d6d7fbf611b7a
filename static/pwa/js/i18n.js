// Every string the field app shows, in English and Khmer, and dates in both. Pure module.
// t(lang, key, params) fills {name} placeholders; numbers are written with Khmer digits in
// Khmer. A key missing in Khmer is a bug (tests/i18n.test.mjs checks both have every key).

export const LANGS = ['en', 'km'];

export const STRINGS = {
  en: {
    app_name: 'Homeward',
    tagline: 'Child care reform field app',
    language_switch: 'ភាសាខ្មែរ',
    language_short: 'ខ្មែរ',
    language_switch_label: 'Show in Khmer',
    username: 'Username',
    password: 'Password',
    sign_in: 'Sign in',
    sign_in_title: 'Sign in',
    sign_in_intro: 'Sign in once with a connection; afterwards the app works without signal.',
    signing_in: 'Signing in…',
    sign_in_failed: 'Wrong username or password.',
    sign_in_offline: 'No connection. {username} has not signed in on this device before: the first sign-in needs a connection.',
    signed_in_offline: 'Signed in without a connection. Your work stays on this device and is sent once there is a connection.',
    sign_in_online_again: 'You signed in without a connection. Enter your password again to send your work.',
    sign_in_offline_too_many: 'Too many wrong passwords without a connection: the next sign-in as this user needs a connection.',
    left_scope: 'This record was moved out of your area (to another district or province): what this device changed in it can no longer be sent. Tell your supervisor.',
    sign_in_wait: 'Too many attempts. Wait {seconds} seconds and try again.',
    sign_in_error: 'Sign-in failed: {message}',
    session_expired: 'Your sign-in has expired. Connect and sign in again: your unsent work is kept.',
    signed_in_as: 'Signed in as {username}',
    loading: 'Loading…',
    forms: 'Forms',
    new_form_intro: 'Choose a form to start a new record.',
    no_forms: 'No forms yet. Connect and press “Sync now” to download them.',
    needs_khmer: 'Needs Khmer',
    needs_khmer_hint: 'Some texts of this form have no Khmer translation: they are shown in English.',
    drafts: 'Drafts',
    no_drafts: 'No drafts.',
    continue_draft: 'Continue: {title}',
    delete_draft: 'Delete draft',
    confirm_delete_draft: 'Delete this draft? What was typed in it will be lost.',
    delete_draft_confirm: 'Yes, delete it',
    keep_draft: 'Keep the draft',
    draft_deleted: 'Draft deleted.',
    records: 'My records',
    outbox: 'Outbox',
    no_records: 'Nothing submitted from this device yet.',
    save_draft: 'Save draft',
    submit: 'Submit',
    close: 'Close',
    back: 'Back',
    draft_saved: 'Draft saved {when}.',
    draft_autosaved: 'Saved on this device.',
    submitted: 'Submitted. It will upload when there is a connection.',
    submitted_sending: 'Submitted. Sending it now.',
    fix_errors: 'Some answers need attention: see the messages in red.',
    form_missing: 'This form version is not on this device. Connect and sync to download it.',
    renderer_missing: 'The form cannot be shown: the app is incomplete. Update the app.',
    sync_now: 'Sync now',
    sync_short: 'Sync',
    records_short: 'Records',
    settings_short: 'Settings',
    syncing: 'Syncing…',
    waiting_none: 'Nothing waiting to upload.',
    waiting_one: '1 submission waiting to upload.',
    waiting_many: '{n} submissions waiting to upload.',
    last_sync: 'Last sync: {when}.',
    never_synced: 'Not synced yet.',
    offline: 'Offline',
    online: 'Online',
    sync_failed: 'Sync failed: {message}. It will try again by itself.',
    sync_retry_at: 'Next try at {when}.',
    sync_done: 'Sync finished.',
    sync_done_sent: 'Sync finished: {n} sent.',
    sync_done_rejected_one: 'Sync finished: 1 submission was refused by the server and needs correction.',
    sync_done_rejected_many: 'Sync finished: {n} submissions were refused by the server and need correction.',
    sync_done_conflict: 'Sync finished: {n} in conflict with another device.',
    attention_one: '1 submission needs correction.',
    attention_many: '{n} submissions need correction.',
    attention_heading: 'Needs correction',
    attention_open: 'Open it',
    attention_open_many: 'See them',
    sync_sign_in: 'Sign in again to upload: your work is kept.',
    network_error: 'no connection',
    server_error: 'the server answered {status}',
    state_draft: 'Draft',
    state_waiting: 'Waiting to upload',
    state_sent: 'Sent',
    state_received: 'On the server',
    state_rejected: 'Rejected: needs correction',
    state_returned: 'Returned by a supervisor',
    state_review_rejected: 'Rejected by a supervisor',
    state_conflict: 'In conflict',
    state_approved: 'Approved',
    supervisor_comment: 'Supervisor’s comment: {comment}',
    errors_by_field: 'What the server refused:',
    flags_heading: 'Flagged for the supervisor:',
    conflict_intro: 'Another device changed the same answers. The server kept the first value it received; a supervisor will decide.',
    conflict_field: 'Answer',
    conflict_server: 'On the server',
    conflict_yours: 'This device',
    draft_caught_up: 'This record changed on the server after this draft began: those changes are now in the form.',
    draft_clashes: 'You and the server changed these answers differently. Your answer is kept and will be sent; change it if the server’s is right.',
    correct: 'Correct and send again',
    edit: 'Edit',
    view: 'View',
    open_record: 'Open {title}',
    updated: 'Updated {when}',
    queued: 'Queued {when}',
    sent_at: 'Sent {when}',
    settings: 'Settings',
    language: 'Language',
    storage: 'Storage on this device',
    storage_persisted: 'Protected: the browser will not clear this app’s data to free space.',
    storage_not_persisted: 'Not protected: the browser may clear data when space runs low. Sync often.',
    storage_unknown: 'The browser does not say whether data is protected.',
    storage_usage: 'Using {used} of {quota}.',
    attachments_retention: 'Photos and signatures already on the server leave this device {days} days after they were uploaded, never while a draft or an unsent, rejected or returned record uses them.',
    attachments_pruned: '{n} photos and signatures have left this device so far; they open from the server when online.',
    attachments_on_server: 'Photos and signatures of this record are kept on the server to save space on this device: connect to see them.',
    lock: 'Lock',
    lock_app: 'Lock the app',
    locked_title: 'The app is locked',
    locked_intro: 'Enter your PIN to unlock. Your work is kept.',
    pin: 'PIN',
    pin_new: 'New PIN (4–8 digits)',
    pin_repeat: 'Repeat the PIN',
    set_pin: 'Set PIN',
    pin_set: 'PIN set. You can unlock without a connection.',
    pin_not_set: 'No PIN set: set one to lock and unlock without a connection.',
    pin_needs_online: 'A PIN can only be set with a connection.',
    idle_lock: 'Lock by itself when not used for',
    minutes_n: '{n} minutes',
    idle_lock_on: 'With no touch for that long, the app locks; your work is kept.',
    idle_lock_needs_pin: 'Set a PIN to have the app lock by itself.',
    pin_invalid: 'A PIN has 4 to 8 digits.',
    pin_mismatch: 'The two PINs differ.',
    unlock: 'Unlock',
    unlock_wrong: 'Wrong PIN. {left} tries left.',
    unlock_too_many: 'Too many wrong PINs: sign in with your password (needs a connection).',
    unlock_password: 'Sign in with password instead',
    sign_out: 'Sign out',
    sign_out_warn: '{n} items are not uploaded yet (drafts or waiting submissions). They stay on this device for {username} only, who can sign in again here even without a connection (with the same password); they are sent once there is a connection. Other users of this device do not see them. Sign out anyway?',
    signed_out_kept: 'Signed out. Unsent work is kept on this device.',
    update_ready: 'Update ready — reload',
    update_reload: 'Reload',
    update_later: 'Later',
    install_hint: 'Add Homeward to the home screen to open it like an app.',
    photo_of: 'Photo',
    yes: 'Yes',
    no: 'No',
    device_id: 'Device ID: {id}',
    version: 'App version {version}',
    not_found: 'Not found.',
    home: 'Home',
    menu: 'Menu',
    form_version: 'Form version {version}',
    unsaved_warning: 'The draft is saved on this device.',
    status_region: 'Upload status',
    find_record: 'Find a record',
    search_records: 'Search records on this device',
    find_count: '{n} of {total} records.',
  },
  km: {
    app_name: 'Homeward',
    tagline: 'កម្មវិធីប្រមូលទិន្នន័យកំណែទម្រង់ការថែទាំកុមារ',
    language_switch: 'English',
    language_short: 'English',
    language_switch_label: 'Show in English',
    username: 'ឈ្មោះអ្នកប្រើ',
    password: 'ពាក្យសម្ងាត់',
    sign_in: 'ចូល',
    sign_in_title: 'ចូលប្រើ',
    sign_in_intro: 'ចូលម្តងដោយមានអ៊ីនធឺណិត បន្ទាប់មកកម្មវិធីដំណើរការដោយគ្មានសេវា។',
    signing_in: 'កំពុងចូល…',
    sign_in_failed: 'ឈ្មោះអ្នកប្រើ ឬពាក្យសម្ងាត់មិនត្រឹមត្រូវ។',
    sign_in_offline: 'គ្មានអ៊ីនធឺណិត។ {username} មិនទាន់ធ្លាប់ចូលនៅលើឧបករណ៍នេះទេ៖ ការចូលលើកដំបូងត្រូវការអ៊ីនធឺណិត។',
    signed_in_offline: 'បានចូលដោយគ្មានអ៊ីនធឺណិត។ ការងាររបស់អ្នកនៅលើឧបករណ៍នេះ ហើយនឹងត្រូវបញ្ជូននៅពេលមានអ៊ីនធឺណិត។',
    sign_in_online_again: 'អ្នកបានចូលដោយគ្មានអ៊ីនធឺណិត។ សូមបញ្ចូលពាក្យសម្ងាត់ម្តងទៀត ដើម្បីបញ្ជូនការងាររបស់អ្នក។',
    sign_in_offline_too_many: 'ពាក្យសម្ងាត់ខុសច្រើនដងពេក ពេលគ្មានអ៊ីនធឺណិត៖ ការចូលលើកក្រោយជាអ្នកប្រើនេះ ត្រូវការអ៊ីនធឺណិត។',
    left_scope: 'កំណត់ត្រានេះត្រូវបានផ្លាស់ទៅក្រៅតំបន់របស់អ្នក (ទៅស្រុក ឬខេត្តផ្សេង)៖ អ្វីដែលឧបករណ៍នេះបានកែប្រែក្នុងកំណត់ត្រានេះ មិនអាចបញ្ជូនបានទៀតទេ។ សូមប្រាប់អ្នកគ្រប់គ្រងរបស់អ្នក។',
    sign_in_wait: 'ព្យាយាមច្រើនដងពេក។ សូមរង់ចាំ {seconds} វិនាទី ហើយព្យាយាមម្តងទៀត។',
    sign_in_error: 'ការចូលបរាជ័យ៖ {message}',
    session_expired: 'ការចូលរបស់អ្នកបានផុតកំណត់។ សូមភ្ជាប់អ៊ីនធឺណិត ហើយចូលម្តងទៀត៖ ការងារដែលមិនទាន់បញ្ជូនត្រូវបានរក្សាទុក។',
    signed_in_as: 'បានចូលជា {username}',
    loading: 'កំពុងផ្ទុក…',
    forms: 'ទម្រង់',
    new_form_intro: 'ជ្រើសរើសទម្រង់ដើម្បីចាប់ផ្តើមកំណត់ត្រាថ្មី។',
    no_forms: 'មិនទាន់មានទម្រង់។ សូមភ្ជាប់អ៊ីនធឺណិត ហើយចុច «ធ្វើសមកាលកម្មឥឡូវ» ដើម្បីទាញយក។',
    needs_khmer: 'ត្រូវការភាសាខ្មែរ',
    needs_khmer_hint: 'អត្ថបទខ្លះនៃទម្រង់នេះមិនទាន់មានការបកប្រែជាភាសាខ្មែរ៖ បង្ហាញជាភាសាអង់គ្លេស។',
    drafts: 'សេចក្តីព្រាង',
    no_drafts: 'គ្មានសេចក្តីព្រាង។',
    continue_draft: 'បន្ត៖ {title}',
    delete_draft: 'លុបសេចក្តីព្រាង',
    confirm_delete_draft: 'លុបសេចក្តីព្រាងនេះឬ? អ្វីដែលបានវាយបញ្ចូលនឹងបាត់បង់។',
    delete_draft_confirm: 'បាទ/ចាស លុបវា',
    keep_draft: 'រក្សាសេចក្តីព្រាងទុក',
    draft_deleted: 'បានលុបសេចក្តីព្រាង។',
    records: 'កំណត់ត្រារបស់ខ្ញុំ',
    outbox: 'ប្រអប់ចេញ',
    no_records: 'មិនទាន់មានអ្វីបញ្ជូនពីឧបករណ៍នេះទេ។',
    save_draft: 'រក្សាទុកសេចក្តីព្រាង',
    submit: 'បញ្ជូន',
    close: 'បិទ',
    back: 'ត្រឡប់ក្រោយ',
    draft_saved: 'បានរក្សាទុកសេចក្តីព្រាង {when}។',
    draft_autosaved: 'បានរក្សាទុកនៅលើឧបករណ៍នេះ។',
    submitted: 'បានបញ្ជូន។ វានឹងផ្ទុកឡើងនៅពេលមានអ៊ីនធឺណិត។',
    submitted_sending: 'បានបញ្ជូន។ កំពុងផ្ទុកឡើងឥឡូវនេះ។',
    fix_errors: 'ចម្លើយខ្លះត្រូវកែ៖ សូមមើលសារពណ៌ក្រហម។',
    form_missing: 'កំណែទម្រង់នេះមិនមាននៅលើឧបករណ៍នេះទេ។ សូមភ្ជាប់អ៊ីនធឺណិត ហើយធ្វើសមកាលកម្មដើម្បីទាញយក។',
    renderer_missing: 'មិនអាចបង្ហាញទម្រង់បានទេ៖ កម្មវិធីមិនពេញលេញ។ សូមធ្វើបច្ចុប្បន្នភាពកម្មវិធី។',
    sync_now: 'ធ្វើសមកាលកម្មឥឡូវ',
    sync_short: 'សមកាលកម្ម',
    records_short: 'កំណត់ត្រា',
    settings_short: 'ការកំណត់',
    syncing: 'កំពុងធ្វើសមកាលកម្ម…',
    waiting_none: 'គ្មានអ្វីរង់ចាំផ្ទុកឡើងទេ។',
    waiting_one: 'ការបញ្ជូន ១ កំពុងរង់ចាំផ្ទុកឡើង។',
    waiting_many: 'ការបញ្ជូន {n} កំពុងរង់ចាំផ្ទុកឡើង។',
    last_sync: 'សមកាលកម្មចុងក្រោយ៖ {when}។',
    never_synced: 'មិនទាន់ធ្វើសមកាលកម្ម។',
    offline: 'គ្មានអ៊ីនធឺណិត',
    online: 'មានអ៊ីនធឺណិត',
    sync_failed: 'សមកាលកម្មបរាជ័យ៖ {message}។ វានឹងព្យាយាមម្តងទៀតដោយខ្លួនឯង។',
    sync_retry_at: 'ព្យាយាមម្តងទៀតនៅ {when}។',
    sync_done: 'សមកាលកម្មបានបញ្ចប់។',
    sync_done_sent: 'សមកាលកម្មបានបញ្ចប់៖ បានបញ្ជូន {n}។',
    sync_done_rejected_one: 'សមកាលកម្មបានបញ្ចប់៖ ការបញ្ជូន ១ ត្រូវបានម៉ាស៊ីនមេបដិសេធ ហើយត្រូវកែ។',
    sync_done_rejected_many: 'សមកាលកម្មបានបញ្ចប់៖ ការបញ្ជូន {n} ត្រូវបានម៉ាស៊ីនមេបដិសេធ ហើយត្រូវកែ។',
    sync_done_conflict: 'សមកាលកម្មបានបញ្ចប់៖ {n} មានការប៉ះទង្គិចជាមួយឧបករណ៍ផ្សេង។',
    attention_one: 'ការបញ្ជូន ១ ត្រូវកែ។',
    attention_many: 'ការបញ្ជូន {n} ត្រូវកែ។',
    attention_heading: 'ត្រូវកែ',
    attention_open: 'បើកវា',
    attention_open_many: 'មើលពួកវា',
    sync_sign_in: 'សូមចូលម្តងទៀតដើម្បីផ្ទុកឡើង៖ ការងាររបស់អ្នកត្រូវបានរក្សាទុក។',
    network_error: 'គ្មានអ៊ីនធឺណិត',
    server_error: 'ម៉ាស៊ីនមេឆ្លើយ {status}',
    state_draft: 'សេចក្តីព្រាង',
    state_waiting: 'រង់ចាំផ្ទុកឡើង',
    state_sent: 'បានបញ្ជូន',
    state_received: 'មាននៅលើម៉ាស៊ីនមេ',
    state_rejected: 'ត្រូវបានបដិសេធ៖ ត្រូវកែ',
    state_returned: 'ត្រូវបានប្រគល់មកវិញដោយអ្នកត្រួតពិនិត្យ',
    state_review_rejected: 'ត្រូវបានបដិសេធដោយអ្នកត្រួតពិនិត្យ',
    state_conflict: 'មានការប៉ះទង្គិច',
    state_approved: 'បានអនុម័ត',
    supervisor_comment: 'មតិរបស់អ្នកត្រួតពិនិត្យ៖ {comment}',
    errors_by_field: 'អ្វីដែលម៉ាស៊ីនមេបានបដិសេធ៖',
    flags_heading: 'បានសម្គាល់សម្រាប់អ្នកត្រួតពិនិត្យ៖',
    conflict_intro: 'ឧបករណ៍មួយទៀតបានកែចម្លើយដដែល។ ម៉ាស៊ីនមេរក្សាតម្លៃដែលបានទទួលមុន អ្នកត្រួតពិនិត្យនឹងសម្រេច។',
    conflict_field: 'ចម្លើយ',
    conflict_server: 'នៅលើម៉ាស៊ីនមេ',
    conflict_yours: 'ឧបករណ៍នេះ',
    draft_caught_up: 'កំណត់ត្រានេះបានផ្លាស់ប្ដូរនៅលើម៉ាស៊ីនមេ បន្ទាប់ពីសេចក្តីព្រាងនេះបានចាប់ផ្ដើម៖ ការផ្លាស់ប្ដូរទាំងនោះមាននៅក្នុងទម្រង់ហើយ។',
    draft_clashes: 'អ្នក និងម៉ាស៊ីនមេ បានកែចម្លើយទាំងនេះខុសគ្នា។ ចម្លើយរបស់អ្នកត្រូវបានរក្សាទុក ហើយនឹងត្រូវបញ្ជូន៖ សូមកែវា ប្រសិនបើចម្លើយនៅលើម៉ាស៊ីនមេត្រឹមត្រូវ។',
    correct: 'កែ ហើយបញ្ជូនម្តងទៀត',
    edit: 'កែ',
    view: 'មើល',
    open_record: 'បើក {title}',
    updated: 'បានកែ {when}',
    queued: 'ដាក់ក្នុងជួរ {when}',
    sent_at: 'បានបញ្ជូន {when}',
    settings: 'ការកំណត់',
    language: 'ភាសា',
    storage: 'ទំហំផ្ទុកនៅលើឧបករណ៍នេះ',
    storage_persisted: 'ត្រូវបានការពារ៖ កម្មវិធីរុករកនឹងមិនលុបទិន្នន័យនេះដើម្បីបង្កើនទំហំទេ។',
    storage_not_persisted: 'មិនត្រូវបានការពារ៖ កម្មវិធីរុករកអាចលុបទិន្នន័យនៅពេលទំហំតិច។ សូមធ្វើសមកាលកម្មញឹកញាប់។',
    storage_unknown: 'កម្មវិធីរុករកមិនប្រាប់ថាទិន្នន័យត្រូវបានការពារឬទេ។',
    storage_usage: 'កំពុងប្រើ {used} ក្នុងចំណោម {quota}។',
    attachments_retention: 'រូបថត និងហត្ថលេខាដែលមាននៅលើម៉ាស៊ីនមេហើយ ត្រូវបានដកចេញពីឧបករណ៍នេះ {days} ថ្ងៃបន្ទាប់ពីផ្ទុកឡើង ប៉ុន្តែមិនដែលដកចេញនៅពេលសេចក្តីព្រាង ឬកំណត់ត្រាដែលមិនទាន់បញ្ជូន ត្រូវបានបដិសេធ ឬត្រូវបានប្រគល់មកវិញ នៅតែប្រើវាឡើយ។',
    attachments_pruned: 'រូបថត និងហត្ថលេខា {n} ត្រូវបានដកចេញពីឧបករណ៍នេះរហូតមកដល់ពេលនេះ៖ វាបើកពីម៉ាស៊ីនមេ នៅពេលមានអ៊ីនធឺណិត។',
    attachments_on_server: 'រូបថត និងហត្ថលេខារបស់កំណត់ត្រានេះត្រូវបានរក្សាទុកនៅលើម៉ាស៊ីនមេ ដើម្បីសន្សំទំហំផ្ទុកនៅលើឧបករណ៍នេះ៖ សូមភ្ជាប់អ៊ីនធឺណិតដើម្បីមើលវា។',
    lock: 'ចាក់សោ',
    lock_app: 'ចាក់សោកម្មវិធី',
    locked_title: 'កម្មវិធីត្រូវបានចាក់សោ',
    locked_intro: 'បញ្ចូលលេខ PIN ដើម្បីដោះសោ។ ការងាររបស់អ្នកត្រូវបានរក្សាទុក។',
    pin: 'លេខ PIN',
    pin_new: 'លេខ PIN ថ្មី (៤–៨ ខ្ទង់)',
    pin_repeat: 'បញ្ចូលលេខ PIN ម្តងទៀត',
    set_pin: 'កំណត់លេខ PIN',
    pin_set: 'បានកំណត់លេខ PIN។ អ្នកអាចដោះសោដោយគ្មានអ៊ីនធឺណិត។',
    pin_not_set: 'មិនទាន់កំណត់លេខ PIN៖ កំណត់មួយដើម្បីចាក់សោ និងដោះសោដោយគ្មានអ៊ីនធឺណិត។',
    pin_needs_online: 'លេខ PIN អាចកំណត់បានតែពេលមានអ៊ីនធឺណិតប៉ុណ្ណោះ។',
    idle_lock: 'ចាក់សោដោយខ្លួនឯង ពេលមិនបានប្រើរយៈពេល',
    minutes_n: '{n} នាទី',
    idle_lock_on: 'ពេលមិនបានប៉ះរយៈពេលនោះ កម្មវិធីនឹងចាក់សោ ហើយការងាររបស់អ្នកត្រូវបានរក្សាទុក។',
    idle_lock_needs_pin: 'កំណត់លេខ PIN ដើម្បីឱ្យកម្មវិធីចាក់សោដោយខ្លួនឯង។',
    pin_invalid: 'លេខ PIN មាន ៤ ដល់ ៨ ខ្ទង់។',
    pin_mismatch: 'លេខ PIN ទាំងពីរមិនដូចគ្នា។',
    unlock: 'ដោះសោ',
    unlock_wrong: 'លេខ PIN មិនត្រឹមត្រូវ។ នៅសល់ {left} ដង។',
    unlock_too_many: 'លេខ PIN ខុសច្រើនដងពេក៖ សូមចូលដោយពាក្យសម្ងាត់ (ត្រូវការអ៊ីនធឺណិត)។',
    unlock_password: 'ចូលដោយពាក្យសម្ងាត់ជំនួសវិញ',
    sign_out: 'ចាកចេញ',
    sign_out_warn: 'មាន {n} មិនទាន់ផ្ទុកឡើង (សេចក្តីព្រាង ឬការបញ្ជូនកំពុងរង់ចាំ)។ វានៅលើឧបករណ៍នេះសម្រាប់តែ {username} ប៉ុណ្ណោះ ដែលអាចចូលម្តងទៀតនៅទីនេះ ទោះបីគ្មានអ៊ីនធឺណិតក៏ដោយ (ដោយប្រើពាក្យសម្ងាត់ដដែល)។ វានឹងត្រូវបញ្ជូននៅពេលមានអ៊ីនធឺណិត។ អ្នកប្រើផ្សេងទៀតនៃឧបករណ៍នេះមិនឃើញវាទេ។ ចាកចេញឬ?',
    signed_out_kept: 'បានចាកចេញ។ ការងារដែលមិនទាន់បញ្ជូនត្រូវបានរក្សាទុកនៅលើឧបករណ៍នេះ។',
    update_ready: 'កំណែថ្មីរួចរាល់ — ផ្ទុកឡើងវិញ',
    update_reload: 'ផ្ទុកឡើងវិញ',
    update_later: 'ពេលក្រោយ',
    install_hint: 'បន្ថែម Homeward ទៅអេក្រង់ដើម ដើម្បីបើកដូចកម្មវិធី។',
    photo_of: 'រូបថត',
    yes: 'បាទ/ចាស',
    no: 'ទេ',
    device_id: 'លេខសម្គាល់ឧបករណ៍៖ {id}',
    version: 'កំណែកម្មវិធី {version}',
    not_found: 'រកមិនឃើញ។',
    home: 'ទំព័រដើម',
    menu: 'ម៉ឺនុយ',
    form_version: 'កំណែទម្រង់ {version}',
    unsaved_warning: 'សេចក្តីព្រាងត្រូវបានរក្សាទុកនៅលើឧបករណ៍នេះ។',
    status_region: 'ស្ថានភាពផ្ទុកឡើង',
    find_record: 'ស្វែងរកកំណត់ត្រា',
    search_records: 'ស្វែងរកកំណត់ត្រានៅលើឧបករណ៍នេះ',
    find_count: '{n} ក្នុងចំណោម {total} កំណត់ត្រា។',
  },
};

const KHMER_DIGITS = '០១២៣៤៥៦៧៨៩';
export const khmerDigits = (s) => String(s).replace(/[0-9]/g, (d) => KHMER_DIGITS[d]);
const localDigits = (lang, s) => (lang === 'km' ? khmerDigits(s) : String(s));

export function t(lang, key, params = {}) {
  const table = STRINGS[lang] || STRINGS.en;
  const text = table[key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, k) => {
    if (!(k in params)) return m;
    const v = params[k];
    return typeof v === 'number' ? localDigits(lang, v) : String(v);
  });
}

/** The waiting line of the status region. */
export function waitingText(lang, n) {
  if (n === 0) return t(lang, 'waiting_none');
  if (n === 1) return t(lang, 'waiting_one');
  return t(lang, 'waiting_many', { n });
}

/** The status region's line for records that need correction (n > 0). */
export function attentionText(lang, n) {
  return n === 1 ? t(lang, 'attention_one') : t(lang, 'attention_many', { n });
}

/** What a sync did, for the short message after it: refusals first (they need the user). */
export function syncDoneText(lang, pushed) {
  const p = pushed || {};
  if (p.rejected === 1) return t(lang, 'sync_done_rejected_one');
  if (p.rejected > 1) return t(lang, 'sync_done_rejected_many', { n: p.rejected });
  if (p.conflict > 0) return t(lang, 'sync_done_conflict', { n: p.conflict });
  if (p.sent > 0) return t(lang, 'sync_done_sent', { n: p.sent });
  return t(lang, 'sync_done');
}

/** A text {en, km} (form titles, labels) in the language, falling back to the other. */
export const pick = (text, lang) => (text && typeof text === 'object' ? (text[lang] || text.en || text.km || '') : (text || ''));

const MONTHS = {
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  km: ['មករា', 'កុម្ភៈ', 'មីនា', 'មេសា', 'ឧសភា', 'មិថុនា', 'កក្កដា', 'សីហា', 'កញ្ញា', 'តុលា', 'វិច្ឆិកា', 'ធ្នូ'],
};

const pad = (n) => String(n).padStart(2, '0');

function toDate(value) {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split('-').map(Number);
    return new Date(y, m - 1, d);
  }
  return new Date(value);
}

/** "24 Nov 2026" / "២៤ វិច្ឆិកា ២០២៦" (local time). */
export function formatDate(value, lang) {
  const d = toDate(value);
  if (Number.isNaN(d.getTime())) return '';
  return localDigits(lang, `${d.getDate()} `) + MONTHS[lang === 'km' ? 'km' : 'en'][d.getMonth()] + localDigits(lang, ` ${d.getFullYear()}`);
}

/** "24 Nov 2026, 14:05" / "២៤ វិច្ឆិកា ២០២៦ ម៉ោង ១៤:០៥" (local time). */
export function formatDateTime(value, lang) {
  const d = toDate(value);
  if (Number.isNaN(d.getTime())) return '';
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return lang === 'km'
    ? `${formatDate(d, lang)} ម៉ោង ${khmerDigits(time)}`
    : `${formatDate(d, lang)}, ${time}`;
}

/** A text with its ISO dates (YYYY-MM-DD, as a record's name has them: "Inspection
 * 2026-12-08") written "8 Dec 2026" / "៨ ធ្នូ ២០២៦": day, month and year, never ambiguous. */
export function datesIn(text, lang) {
  if (typeof text !== 'string') return text;
  return text.replace(/\b(\d{4}-\d{2}-\d{2})(?![\dT:])/g, (iso) => formatDate(iso, lang) || iso);
}

/** Bytes as "1.2 MB" in either language. */
export function formatBytes(n, lang) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return localDigits(lang, `${v < 10 && i ? v.toFixed(1) : Math.round(v)} ${units[i]}`);
}
