# Setad's messages, English.

## Common
written = Written to { $path }.
bad-date = “{ $date }” is not a valid date ({ $reason }). Example: 1405/09/01
bad-period = “{ $period }” is not a valid month ({ $reason }). Example: 1405-09
migrate-done = The database ({ $backend }) is up to date.
backup-exists = { $path } already exists; choose another name.

## Import
import-units = Units
import-obligations = Obligations
import-assignments = Assignments
import-holidays = Holidays
import-changes = { $what }: { $inserted } added, { $updated } updated, { $unchanged } unchanged
import-nothing-changed = Nothing changed; the database already matched the file.
import-refused = The file has { $count ->
    [one] one problem
   *[other] { $count } problems
}; nothing was changed.
import-syntax = the file cannot be read: { $message }
import-bad-key = “{ $key }” is not a valid key (lowercase Latin letters, digits and hyphens only).
import-duplicate-key = “{ $key }” appears twice.
import-unknown-kind = unknown unit kind “{ $kind }” (province, county, district, rural_district, village, town, directorate, office).
import-missing-parent = unit “{ $key }” has no parent; only one province can be the root.
import-unknown-parent = the parent of “{ $key }”, “{ $parent }”, is not defined earlier in the file or in the database.
import-unknown-unit = unit “{ $key }” is not defined.
import-unknown-obligation = obligation “{ $key }” is not defined.
import-unknown-shape = unknown obligation shape “{ $shape }” (meeting, quota, deadline, continuous).
import-bad-date = “{ $date }” is not a valid Jalali date.
import-bad-time = “{ $time }” is not a time (HH:MM).
import-out-of-range = { $value } is not allowed for { $field }.
import-schedule-mismatch = the schedule of obligation “{ $key }” does not fit its shape ({ $shape }).
import-not-a-quota = obligation “{ $key }” is not a quota.
import-quota-not-assigned = obligation “{ $obligation }” is not assigned to unit “{ $unit }”.
import-empty-assignment = “{ $entry }” matches no unit.
import-unknown-meeting = meeting “{ $key }” is not defined in the file ([[meeting]] with its key and date).
import-end-before-start = obligation “{ $key }” ends on { $end }, before its start on { $start }.
import-meetings = Meetings
import-dry-run = Dry run: nothing was changed. Importing the file would do this:
import-plan-none = No obligation is added, changed or retired.
import-plan-line = { $change ->
    [added] + add
    [retired] − retire
   *[changed] ~ change
} { $key } ({ $title }): { $window }
import-window-always = in force in every period
import-window-from = in force from { $from }
import-window-until = in force until { $until }, then retired
import-window-both = in force from { $from } until { $until }, then retired

## Invite
invite-created = Invite code for { $unit } (role { $role }): { $code }
invite-expires = Valid until { $date } { $time }
invite-never-expires = Does not expire
invite-link-hint = Or send the bot: /start { $code }
invite-bad-role = unknown role “{ $role }” (governor, agency, staff, fund, admin).
invite-bad-duration = “{ $duration }” is not a duration (e.g. 48h, 7d, 2w) or a last day (1404/03/01, 2025-05-22).
invite-expiry-past = { $date } has already passed; give a later last day.
invite-no-uses = An invite must allow at least one use.
invite-unknown-unit = No unit is named “{ $query }”. Closest: { $suggestions }
invite-ambiguous = Several units are named “{ $query }”; give one of these keys: { $keys }
members-none = No members.
members-line = #{ $id } { $name } · { $role } · { $unit } · { $platform }
members-unreachable = {" "}· unreachable
members-on-leave = {" "}· on leave { $from } to { $until }, deputy { $deputy }
members-revoked = { $name } (#{ $id }) is revoked: they can no longer use the bot; their reports stay.
members-moved = { $name } now belongs to { $unit } with the role { $role }.
members-leave-recorded = Leave recorded: from { $from } to { $until } { $deputy } receives the reminders of { $name } and may report.
members-bad-day = “{ $day }” is not a date (write 1405/09/10 or 2026-12-01).
members-read-gregorian = Read { $day } as a Gregorian date: { $jalali }.
members-refused-not-allowed = Only admins and staff manage members.
members-refused-out-of-scope = There is no such member or unit among those you manage.
members-refused-role = Only an admin can give the admin role.
members-refused-revoked = That member was already revoked.
members-refused-deputy = The deputy must be another active member of the same unit.
members-refused-dates = The leave must end on or after its first day, and not in the past.
members-refused-unchanged = The member already has that unit and role.
members-refused-overlap = That member already has a leave on some of those days.
members-title = Members ({ $count }):
invite-usage = Write the unit and the role: /invite آمل governor (roles: governor, agency, staff, fund, admin).
invite-made = Invite for { $unit } ({ $role }), one use, valid for a week. Code: { $code }
    { $link }
revoke-usage = Write the member's number from /members: /revoke 12
revoke-choose = Whose access should be revoked?
revoke-confirm = Revoke { $name } ({ $role }, { $unit })? They will no longer be able to use the bot; their reports stay.
revoke-yes = Yes, revoke
revoke-no = Cancel
revoke-cancelled = Nothing was changed.
join-move-confirm = You are already a member. This code would move you to { $unit } with the role { $role }. Move?
join-move-yes = Yes, move me

## Schedule
schedule-empty = Nothing is scheduled in this range.
schedule-bad-months = The number of months must be between 1 and 120.
schedule-line = { $jalali } { $weekday } ({ $gregorian }) { $time } · { $kind } · { $obligation } · { $unit }
schedule-due-part = { " " }· due { $jalali } ({ $gregorian })
schedule-moved = { " " }· moved from { $jalali } ({ $reason })
event-remind = reminder
event-nudge = nudge
event-due = due
event-escalate = escalation
weekday-sat = Saturday
weekday-sun = Sunday
weekday-mon = Monday
weekday-tue = Tuesday
weekday-wed = Wednesday
weekday-thu = Thursday
weekday-fri = Friday

## Summary
summary-title = 📊 Summary of { $period }
summary-empty = Nothing fell due in this month.
summary-due = Due: { $date }
summary-adoption = Done since adoption: { $done } of { $due } due ({ $percent }%)
summary-adoption-nothing-due = Done since adoption: nothing due yet
summary-meeting = ━ Resolutions of the meeting { $key } on { $date }
summary-meeting-none = ━ Resolutions of no recorded meeting
summary-totals = Reported: { $reported } of { $assigned } · held: { $held } · late: { $late } · missing: { $missing } · pending: { $pending }
summary-sums = Attendees: { $attendees } · newly insured: { $insured }
summary-change = Change from last month: reported { $reported } · held { $held } · insured { $insured }
summary-attendees = { $count ->
    [one] one attendee
   *[other] { $count } attendees
}
summary-insured = { $count } newly insured
summary-quota-heading = Quota progress:
summary-quota-line = { $achieved } of { $target } ({ $percent }%)
summary-more = … and { $count } more units (all of them in /export)
summary-quota-laggards = Furthest behind:
summary-xlsx-needs-out = For xlsx, give the output file with --out.
standing-reported = reported
standing-late = late
standing-missing = missing
standing-pending = pending
held-yes = held
held-no = not held
sheet-quota = quota
col-period = Period
col-obligation = Obligation
col-unit = Unit
col-standing = Status
col-held = Held
col-held-on = Held on
col-attendees = Attendees
col-insured = Newly insured
col-text = Report
col-meeting = Meeting
col-since-adoption = Done since adoption (%)
col-target = Target
col-achieved = Achieved
col-percent = Percent

## Notices sent by the scheduler
reminder = 📌 Strategic headquarters reminder ({ $key })
    { $title }
    Unit: { $unit } · month: { $period }
    Report due: { $due }
    To report, reply to this message and write: whether the session was held, the date, the number of attendees and of people newly insured.
nudge = ⏰ No report yet from { $unit } on “{ $title }” ({ $key }) for { $period }.
    Due: { $due }. Please reply to this message.
escalation = ⚠️ Missing reports: { $title } ({ $key }) · { $period }
    The due date { $due } has passed and { $count ->
        [one] one unit has
       *[other] { $count } units have
    } not reported:
unreachable = 🚫 The bot can no longer reach { $name } ({ $unit }) on { $platform }: they blocked the bot or left. Please contact them another way.
leave-ended = 🔔 Your leave from { $from } to { $until } has ended: you receive the reminders of { $unit } again, and your deputy { $deputy } no longer does.
given-up = 📭 { $count } messages on { $platform } could not be sent while they were useful and were given up: { $kinds }.
given-up-error = Last error: { $error }
queued-kind-remind = { $count } reminders
queued-kind-nudge = { $count } nudges
queued-kind-escalate = { $count } escalations
queued-kind-alert = { $count } alerts
queued-kind-digest = { $count } digests
queued-kind-notice = { $count } answers
run-needs-token = To run, set at least one of SETAD_TELEGRAM_TOKEN or SETAD_BALE_TOKEN.

## The conversation
only-text = Please send the report as text; the bot does not read photos or files.
not-member = You have not joined this bot yet. Ask the governorate's staff for an invite code and send: /start CODE
start-no-code = Welcome to the strategic headquarters bot. To join, send the invite code the governorate's staff gave you: /start CODE
start-already = You are a member as { $role } of { $unit }. /help
start-bad-code = This invite code is not valid, was already used or has expired. Ask the governorate's staff for a new one.
start-welcome = Welcome, { $name }. You joined as { $role } of { $unit }.
whoami = Name: { $name }
    Unit: { $unit }
    Role: { $role }
    Messenger: { $platform } · language: { $lang }
lang-set = The bot now speaks English.
lang-choose = Choose a language:
not-allowed = This command is not for your role. /help
unknown-command = I do not know that command. Commands: /help
bad-period-short = “{ $period }” is not a valid month. Example: 1405-09
summary-before-data = There is no summary of { $period }: it is before the data's first obligation ({ $first }). Summaries cover { $first } to { $last }.
summary-too-late = There is no summary of { $period } yet: summaries cover { $first } to { $last } (up to next month).
error-internal = Something went wrong; please send it again in a few minutes.
callback-stale = This button no longer works.
draft-kept = I kept this message. Which obligation does it report on? Press one; until you do, it does not count as a report.
draft-kept-chat = I kept this message, but it does not look like a report. If it is one, press its obligation; otherwise "none".
draft-none = None (not a report)
draft-set-aside = All right: this message does not count as a report.
chart-later = Charts are not ready yet; use /summary and /export for now.
tasks-title = Obligations of { $unit }:
tasks-line = • { $key } { $title } · { $period } · { $status } · due { $due }
tasks-none = No obligation falls on your unit this month or last month.
button-report = Report { $key }
button-held = ✅ Held
button-not-held = ❌ Not held
report-choose = Which obligation are you reporting on?
report-none-open = All your open obligations have been reported. Thank you.
report-prompt = Write the report on { $key } “{ $title }” for { $period } (due { $due }): held or not, the date, attendees and people newly insured.
report-hint = To report, reply to the reminder or send /report.
report-not-yours = This report is not about your unit and was not stored.
report-empty = The report is empty and was not stored.
report-too-long = The report is { $len } characters long; at most { $max } are allowed. Please write it shorter.
report-saved = ✅ Report on { $key } “{ $title }” for { $period } stored.
report-saved-late = ✅ Report on { $key } “{ $title }” for { $period } stored (late).
report-updated = ✏️ Report on { $key } “{ $title }” for { $period } updated.
report-understood = Understood: { $held } · date: { $date } · attendees: { $attendees } · newly insured: { $insured }
report-fix-hint = If this is wrong, press a button or edit your message.
report-corrected = Corrected: { $held }
report-either = { $a } or { $b }?
report-fill-hint = To fill what shows “—” or a question, reply to this message; just the number or the date will do.
report-refused-future = The date { $date } has not come yet; not saved.
report-refused-negative = The { $count } count cannot be negative ({ $n }); not saved.
report-fact-set = Saved: { $fact }: { $value }
count-attendees = attendees
count-insured = newly insured
fact-date = date
button-attendees = { $n } people
button-insured = { $n } insured
overdue-title = ⚠️ Missing reports:
overdue-line = { $key } “{ $title }” · { $period } · { $count ->
    [one] one unit
   *[other] { $count } units
}
overdue-none = Every report that fell due has arrived.
export-caption = Summary of { $period }
role-governor = county governorate
role-agency = responsible office
role-staff = political affairs staff
role-fund = fund manager
role-admin = administrator
help-guest = To join: /start INVITE-CODE
help-reporter = Commands:
    /tasks my unit's obligations and this month's status
    /report report
    /lang language · /whoami about me · /help help
    To report, reply to the reminder.
help-staff = Commands:
    /summary [1405-09] the month's summary
    /overdue missing reports
    /export [1405-09] Excel file
    /lang language · /whoami about me · /help help
help-fund = Commands:
    /summary [1405-09] the month's summary
    /overdue missing reports
    /export [1405-09] Excel file
    /lang language · /whoami about me · /help help
    Alerts (missing reports, quotas, unreachable members) and a daily digest are sent to you.
command-tasks = Obligations and this month's status
command-report = Report
command-summary = The month's summary
command-overdue = Missing reports
command-export = Summary as an Excel file
command-lang = Language
command-whoami = About me
command-help = Help
command-start = Join with an invite code
command-members = Members
command-invite = Invite (UNIT ROLE)
command-revoke = Revoke a member
help-members = Members (within your scope):
    /members [unit] the members · /invite UNIT ROLE an invite link · /revoke [number] revoke access
milestone = 🎯 { $unit } reached { $level }% of this year's quota on { $key } “{ $title }”: { $achieved } of { $target } people.
digest = 🗞 Reports received in the last 24 hours ({ $date }): { $count }
digest-line = • { $key } · { $unit }: { $held }{ $insured }{ $late }
digest-insured = { " " }· { $count } newly insured
digest-late = { " " }· late

## setad demo
demo-title = 🎬 A month of Mazandaran's strategic headquarters, with no token and no network (simulated messenger: { $platform })
demo-step-import = Loading the resolutions of 1397
demo-imported = Loaded { $units } units, { $obligations } obligations and { $holidays } holidays.
demo-step-join = The county governors, the political affairs staff and a fund manager join with invite codes
demo-step-remind = The monthly reminder of the county session
demo-step-replies = The governors reply to the reminder
demo-step-nudge = A second reminder to those who have not reported
demo-step-report-command = Reporting with /report
demo-step-escalate = Past the due date: the missing ones go to the political directorate and the fund
demo-step-late = A late report
demo-step-summary = The political affairs staff asks for the summary
demo-step-digest = The fund manager's daily digest
demo-governor = Governor of { $county }
demo-staff = Political affairs staff
demo-fund = Fund manager
demo-more = and { $count } more like it
demo-end = End of the demo: { $sent } messages sent, { $reports } reports stored.

## Operator input
read-date-gregorian = reading { $input } as Gregorian: { $jalali }
read-date-jalali = reading { $input } as Jalali: { $gregorian }
bad-period-gregorian = “{ $period }” is a Gregorian month, but a period is a Jalali month; it overlaps { $months }.
list-and = {" "}and{" "}
list-comma = ,{" "}
list-more = {" "}and { $count } more

## setad check
check-platform = { $platform ->
    [bale] Bale
   *[telegram] Telegram
}
check-config-ok = Configuration read: { $platforms }; { $mode }.
check-mode-webhook = webhook at { $url }
check-mode-polling = long polling
check-config-bad = The configuration cannot be read: { $problem }
check-config-no-platform = The configuration has no messenger: set SETAD_TELEGRAM_TOKEN and/or SETAD_BALE_TOKEN (`setad run` needs one).
check-skipped-config = Nothing else was checked: fix the configuration first.
check-db-ok = Database: { $backend } { $database }, reachable and writable.
check-db-missing = Database: { $path } does not exist; `setad migrate` creates it (or DATABASE_URL names the wrong file).
check-db-unreachable = Database: cannot open { $database }: { $error }
check-db-readonly = Database: { $backend } { $database } opens but takes no writes: { $error }
check-skipped-database = Migrations and the send queue were not checked: the database did not open.
check-migrations-ok = Migrations: all { $count } applied (the latest is { $version }).
check-migrations-pending = Migrations: { $pending } of { $count } not applied yet ({ $versions }): take a backup (`setad backup FILE`), then run `setad migrate`.
check-migrations-newer = Migrations: the database has { $versions }, which this binary does not know: the database is newer than this binary. Run the newer binary, or restore the backup taken before the upgrade.
check-migrations-failed = Migrations: { $versions } failed halfway: restore the backup taken before the upgrade.
check-migrations-changed = Migrations: { $versions } applied differs from this binary's copy (edited after it was applied).
check-migrations-unreadable = Migrations: cannot read what was applied: { $error }
check-queue-empty = Send queue: nothing waiting.
check-queue-pending = Send queue: { $count ->
    [one] one message
   *[other] { $count } messages
} waiting, the oldest for { $age }.
check-queue-stalled = {" "}Is `setad run` running, and the messenger reachable?
check-queue-lapsed = Send queue: { $count ->
    [0] no claim has lapsed.
    [one] one message claimed by a worker that stopped (sent again once the claim lapses).
   *[other] { $count } messages claimed by a worker that stopped (sent again once the claim lapses).
}
check-queue-failed = Send queue: { $count ->
    [0] nothing failed in the last day.
    [one] one message failed in the last day.
   *[other] { $count } messages failed in the last day.
}
check-queue-given-up = Send queue: { $count ->
    [0] nothing given up.
    [one] one message given up (no longer useful when it could be sent).
   *[other] { $count } messages given up (no longer useful when they could be sent).
}
check-queue-unreadable = Send queue: cannot read it: { $error }
check-age-seconds = { $n } s
check-age-minutes = { $n } min
check-age-hours = { $n } h
check-age-days = { $n } days
check-token-ok = { $platform }: the token is accepted by { $host }; the bot is @{ $username }.
check-token-rejected = { $platform }: { $host } rejected the token: it is not a valid { $platform } bot token (check { $variable } and that it was not revoked).
check-token-unreachable = { $platform }: cannot reach { $host }: { $error }
check-token-error = { $platform }: { $host } answered getMe with an error: { $error }
check-skipped-webhook = { $platform }: the webhook was not checked without a working token.
check-skipped-offline = { $platform }: the token and the webhook were not checked (--offline).
check-webhook-ok = { $platform }: the webhook is set to { $url }.
check-webhook-unset = { $platform }: no webhook is set yet; `setad run` sets it to { $url }.
check-webhook-other = { $platform }: the messenger's webhook is { $actual }, not SETAD_WEBHOOK_URL ({ $url }): is another installation using this token?
check-polling-ok = { $platform }: no webhook set; long polling will work.
check-polling-webhook = { $platform }: a webhook is set ({ $actual }) but this installation polls: `setad run` removes it at start. Is another installation using this token?
check-webhook-port = { $platform }: SETAD_WEBHOOK_URL uses port { $port }, but { $platform } posts webhooks only to ports { $ports }.
check-webhook-not-https = { $platform }: SETAD_WEBHOOK_URL ({ $url }) is not an https URL; the messenger posts webhooks only over https.
check-webhook-unknown = { $platform }: the webhook state could not be read ({ $error }).
check-ready = Ready to go live.
check-ready-warnings = Ready to go live, with { $warnings ->
    [one] one warning
   *[other] { $warnings } warnings
} (marked !).
check-not-ready = Not ready to go live: { $problems ->
    [one] one problem
   *[other] { $problems } problems
} (marked ✗), { $warnings ->
    [0] no warning
    [one] one warning
   *[other] { $warnings } warnings
}.
check-failed = not ready ({ $problems ->
    [one] one problem
   *[other] { $problems } problems
})
