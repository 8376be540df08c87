# Setad's messages, Persian (the default and the fallback language).
# Numbers passed as arguments are shown with Persian digits; dates arrive already formatted.

## Common
written = در { $path } نوشته شد.
bad-date = «{ $date }» تاریخ درستی نیست ({ $reason }). نمونه: ۱۴۰۵/۰۹/۰۱
bad-period = «{ $period }» ماه درستی نیست ({ $reason }). نمونه: ۱۴۰۵-۰۹
migrate-done = پایگاه داده ({ $backend }) به‌روز است.
backup-exists = پرونده { $path } از پیش وجود دارد؛ نام دیگری بدهید.

## Import
import-units = واحدها
import-obligations = تکلیف‌ها
import-assignments = واگذاری‌ها
import-holidays = تعطیلات
import-changes = { $what }: { $inserted } افزوده، { $updated } به‌روز، { $unchanged } بدون تغییر
import-nothing-changed = چیزی تغییر نکرد؛ پایگاه داده از پیش با پرونده یکسان بود.
import-refused = پرونده { $count } ایراد دارد؛ هیچ چیز تغییر نکرد.
import-syntax = نوشتار پرونده نادرست است: { $message }
import-bad-key = «{ $key }» کلید درستی نیست (فقط حروف کوچک لاتین، رقم و خط تیره).
import-duplicate-key = «{ $key }» دو بار آمده است.
import-unknown-kind = نوع واحد «{ $kind }» شناخته نیست (province، county، district، rural_district، village، town، directorate، office).
import-missing-parent = واحد «{ $key }» والد ندارد؛ فقط یک استان می‌تواند ریشه باشد.
import-unknown-parent = والدِ «{ $key }»، یعنی «{ $parent }»، پیش از آن در پرونده یا در پایگاه داده تعریف نشده است.
import-unknown-unit = واحد «{ $key }» تعریف نشده است.
import-unknown-obligation = تکلیف «{ $key }» تعریف نشده است.
import-unknown-shape = شکل تکلیف «{ $shape }» شناخته نیست (meeting، quota، deadline، continuous).
import-bad-date = «{ $date }» تاریخ شمسی درستی نیست.
import-bad-time = «{ $time }» ساعت درستی نیست (HH:MM).
import-out-of-range = مقدار { $value } برای { $field } مجاز نیست.
import-schedule-mismatch = زمان‌بندی تکلیف «{ $key }» با شکل آن ({ $shape }) جور نیست.
import-not-a-quota = تکلیف «{ $key }» از نوع سهمیه نیست.
import-quota-not-assigned = تکلیف «{ $obligation }» به واحد «{ $unit }» واگذار نشده است.
import-empty-assignment = «{ $entry }» هیچ واحدی را در بر نمی‌گیرد.
import-unknown-meeting = جلسه «{ $key }» در پرونده تعریف نشده است ([[meeting]] با کلید و تاریخ آن).
import-end-before-start = پایان تکلیف «{ $key }» ({ $end }) پیش از آغاز آن ({ $start }) است.
import-meetings = جلسه‌ها
import-dry-run = اجرای آزمایشی: هیچ چیز تغییر نکرد. وارد کردن پرونده این کارها را می‌کند:
import-plan-none = هیچ تکلیفی افزوده، تغییر یا بازنشسته نمی‌شود.
import-plan-line = { $change ->
    [added] + افزودن
    [retired] − بازنشستگی
   *[changed] ~ تغییر
} { $key } ({ $title }): { $window }
import-window-always = در همهٔ دوره‌ها برقرار
import-window-from = برقرار از { $from }
import-window-until = برقرار تا { $until } و پس از آن بازنشسته
import-window-both = برقرار از { $from } تا { $until } و پس از آن بازنشسته

## Invite
invite-created = کد دعوت برای { $unit } (نقش { $role }): { $code }
invite-expires = اعتبار تا { $date } ساعت { $time }
invite-never-expires = بدون تاریخ انقضا
invite-link-hint = در ربات بفرستید: /start { $code }
invite-bad-role = نقش «{ $role }» شناخته نیست (governor، agency، staff، fund، admin).
invite-bad-duration = «{ $duration }» مدت (مثلاً 48h، 7d، 2w) یا روز آخر (۱۴۰۴/۰۳/۰۱، 2025-05-22) نیست.
invite-expiry-past = روز { $date } گذشته است؛ روز آخر دیرتری بدهید.
invite-no-uses = دعوت دست‌کم باید یک بار قابل استفاده باشد.
invite-unknown-unit = واحدی به نام «{ $query }» نیست. نزدیک‌ترین‌ها: { $suggestions }
invite-ambiguous = چند واحد «{ $query }» نام دارند؛ یکی از این کلیدها را بدهید: { $keys }
members-none = عضوی نیست.
members-line = #{ $id } { $name } · { $role } · { $unit } · { $platform }
members-unreachable = {" "}· در دسترس نیست
members-on-leave = {" "}· در مرخصی از { $from } تا { $until }، جانشین: { $deputy }
members-revoked = دسترسی { $name } (#{ $id }) لغو شد: دیگر نمی‌تواند از ربات استفاده کند؛ گزارش‌هایش می‌ماند.
members-moved = { $name } اکنون عضو { $unit } با نقش { $role } است.
members-leave-recorded = مرخصی ثبت شد: از { $from } تا { $until } یادآوری‌های { $name } برای { $deputy } فرستاده می‌شود و او می‌تواند گزارش بدهد.
members-bad-day = «{ $day }» تاریخ نیست (مانند ۱۴۰۵/۰۹/۱۰ یا 2026-12-01 بنویسید).
members-read-gregorian = { $day } به‌عنوان تاریخ میلادی خوانده شد: { $jalali }.
members-refused-not-allowed = فقط مدیران و کارشناسان ستاد اعضا را مدیریت می‌کنند.
members-refused-out-of-scope = چنین عضو یا واحدی در حوزهٔ مدیریت شما نیست.
members-refused-role = فقط مدیر می‌تواند نقش مدیر بدهد.
members-refused-revoked = دسترسی این عضو پیش‌تر لغو شده است.
members-refused-deputy = جانشین باید عضو فعال دیگری از همان واحد باشد.
members-refused-dates = پایان مرخصی باید همان روز آغاز یا پس از آن باشد و نه در گذشته.
members-refused-unchanged = این عضو همین واحد و نقش را دارد.
members-refused-overlap = این عضو در برخی از این روزها مرخصی ثبت‌شده دارد.
members-title = اعضا ({ $count }):
invite-usage = واحد و نقش را بنویسید: /invite آمل governor (نقش‌ها: governor، agency، staff، fund، admin).
invite-made = دعوت برای { $unit } ({ $role })، یک‌بار مصرف و به مدت یک هفته. کد: { $code }
    { $link }
revoke-usage = شمارهٔ عضو را از /members بنویسید: /revoke 12
revoke-choose = دسترسی کدام عضو لغو شود؟
revoke-confirm = دسترسی { $name } ({ $role }، { $unit }) لغو شود؟ دیگر نمی‌تواند از ربات استفاده کند؛ گزارش‌هایش می‌ماند.
revoke-yes = بله، لغو شود
revoke-no = انصراف
revoke-cancelled = چیزی تغییر نکرد.
join-move-confirm = شما هم‌اکنون عضو هستید. با این کد به { $unit } با نقش { $role } منتقل می‌شوید. منتقل شوید؟
join-move-yes = بله، منتقل شوم

## Schedule
schedule-empty = در این بازه رویدادی نیست.
schedule-bad-months = تعداد ماه‌ها باید بین ۱ و ۱۲۰ باشد.
schedule-line = { $jalali } { $weekday } ({ $gregorian }) ساعت { $time } · { $kind } · { $obligation } · { $unit }
schedule-due-part = { " " }· سررسید { $jalali } ({ $gregorian })
schedule-moved = { " " }· جابه‌جا شده از { $jalali } ({ $reason })
event-remind = یادآوری
event-nudge = یادآوری دوباره
event-due = سررسید
event-escalate = گزارش جاماندگان
weekday-sat = شنبه
weekday-sun = یکشنبه
weekday-mon = دوشنبه
weekday-tue = سه‌شنبه
weekday-wed = چهارشنبه
weekday-thu = پنجشنبه
weekday-fri = جمعه

## Summary
summary-title = 📊 خلاصهٔ { $period }
summary-empty = در این ماه تکلیفی سررسید نشده است.
summary-due = سررسید: { $date }
summary-adoption = انجام‌شده از زمان تصویب: { $done } از { $due } موعدرسیده ({ $percent }٪)
summary-adoption-nothing-due = انجام‌شده از زمان تصویب: هنوز موعدی نرسیده است
summary-meeting = ━ مصوبات جلسهٔ { $key } در { $date }
summary-meeting-none = ━ مصوبات بی‌جلسهٔ ثبت‌شده
summary-totals = گزارش: { $reported } از { $assigned } · برگزار: { $held } · با تأخیر: { $late } · بی‌گزارش: { $missing } · در انتظار: { $pending }
summary-sums = حاضران: { $attendees } · بیمه‌شدگان جدید: { $insured }
summary-change = نسبت به ماه قبل: گزارش { $reported } · برگزار { $held } · بیمه‌شده { $insured }
summary-attendees = { $count } نفر حاضر
summary-insured = { $count } بیمه‌شدهٔ جدید
summary-quota-heading = پیشرفت سهمیه:
summary-quota-line = { $achieved } از { $target } ({ $percent }٪)
summary-more = … و { $count } واحد دیگر (همه در ‎/export)
summary-quota-laggards = کم‌پیشرفت‌ترین‌ها:
summary-xlsx-needs-out = برای xlsx مسیر پرونده را با ‎--out بدهید.
standing-reported = گزارش داده
standing-late = با تأخیر
standing-missing = بی‌گزارش
standing-pending = در انتظار
held-yes = برگزار شد
held-no = برگزار نشد
sheet-quota = سهمیه
col-period = ماه
col-obligation = تکلیف
col-unit = واحد
col-standing = وضعیت
col-held = برگزاری
col-held-on = تاریخ برگزاری
col-attendees = حاضران
col-insured = بیمه‌شدگان جدید
col-text = متن گزارش
col-meeting = جلسه
col-since-adoption = انجام‌شده از زمان تصویب (٪)
col-target = هدف
col-achieved = انجام‌شده
col-percent = درصد

## Notices sent by the scheduler
reminder = 📌 یادآوری ستاد راهبردی ({ $key })
    { $title }
    واحد: { $unit } · ماه: { $period }
    مهلت گزارش: { $due }
    برای گزارش به همین پیام پاسخ (Reply) دهید و بنویسید: جلسه برگزار شد یا نشد، تاریخ، تعداد حاضران و تعداد بیمه‌شدگان جدید.
nudge = ⏰ هنوز گزارشی از { $unit } برای «{ $title }» ({ $key }) در { $period } نرسیده است.
    مهلت: { $due }. لطفاً به همین پیام پاسخ دهید.
escalation = ⚠️ گزارش‌های نرسیده: { $title } ({ $key }) · { $period }
    مهلت { $due } گذشت و { $count } واحد گزارش نداده‌اند:
unreachable = 🚫 ربات دیگر نمی‌تواند به { $name } ({ $unit }) در { $platform } پیام بدهد: ربات را مسدود کرده یا از دسترس خارج شده است. لطفاً از راه دیگری با ایشان تماس بگیرید.
leave-ended = 🔔 مرخصی شما از { $from } تا { $until } به پایان رسید: یادآوری‌های { $unit } دوباره برای شما فرستاده می‌شود و جانشین شما، { $deputy }، دیگر آن‌ها را دریافت نمی‌کند.
given-up = 📭 { $count } پیام در { $platform } تا وقتی به کار می‌آمد فرستاده نشد و کنار گذاشته شد: { $kinds }.
given-up-error = آخرین خطا: { $error }
queued-kind-remind = { $count } یادآوری
queued-kind-nudge = { $count } یادآوری دوباره
queued-kind-escalate = { $count } گزارش جاماندگان
queued-kind-alert = { $count } هشدار
queued-kind-digest = { $count } گزارش روزانه
queued-kind-notice = { $count } پاسخ
run-needs-token = برای اجرا دست‌کم یکی از SETAD_TELEGRAM_TOKEN یا SETAD_BALE_TOKEN را تنظیم کنید.

## The conversation
only-text = لطفاً گزارش را به صورت متن بفرستید؛ ربات عکس و پرونده را نمی‌خواند.
not-member = شما هنوز عضو این ربات نیستید. برای دسترسی، کد دعوت را از کارشناس استانداری بگیرید و بفرستید: /start کد
start-no-code = به ربات ستاد راهبردی خوش آمدید. برای عضویت، کد دعوتی را که کارشناس استانداری به شما داده بفرستید: /start کد
start-already = شما با نقش { $role } در { $unit } عضو هستید. /help
start-bad-code = این کد دعوت معتبر نیست، پیش‌تر استفاده شده یا منقضی شده است. کد تازه را از کارشناس استانداری بگیرید.
start-welcome = { $name } عزیز، خوش آمدید. شما با نقش { $role } برای { $unit } عضو شدید.
whoami = نام: { $name }
    واحد: { $unit }
    نقش: { $role }
    پیام‌رسان: { $platform } · زبان: { $lang }
lang-set = زبان ربات فارسی شد.
lang-choose = زبان را انتخاب کنید:
not-allowed = این فرمان برای نقش شما نیست. /help
unknown-command = این فرمان را نمی‌شناسم. فهرست فرمان‌ها: /help
bad-period-short = «{ $period }» ماه درستی نیست. نمونه: ۱۴۰۵-۰۹
summary-before-data = برای { $period } خلاصه‌ای نیست: پیش از نخستین تکلیف داده‌ها ({ $first }) است. خلاصه‌ها از { $first } تا { $last } را در بر می‌گیرند.
summary-too-late = برای { $period } هنوز خلاصه‌ای نیست: خلاصه‌ها از { $first } تا { $last } (تا ماه آینده) را در بر می‌گیرند.
error-internal = مشکلی پیش آمد؛ لطفاً چند دقیقهٔ دیگر دوباره بفرستید.
callback-stale = این دکمه دیگر کار نمی‌کند.
draft-kept = این پیام را نگه داشتم. گزارش کدام تکلیف است؟ یکی را بزنید؛ تا نزنید، گزارش حساب نمی‌شود.
draft-kept-chat = این پیام را نگه داشتم، ولی گزارش به نظر نمی‌رسد. اگر گزارش است، تکلیف آن را بزنید؛ وگرنه «هیچ‌کدام».
draft-none = هیچ‌کدام (گزارش نیست)
draft-set-aside = باشد؛ این پیام گزارش حساب نمی‌شود.
chart-later = نمودار هنوز آماده نیست؛ فعلاً از /summary و /export استفاده کنید.
tasks-title = تکلیف‌های { $unit }:
tasks-line = • { $key } { $title } · { $period } · { $status } · مهلت { $due }
tasks-none = برای واحد شما در این ماه و ماه گذشته تکلیفی ثبت نشده است.
button-report = گزارش { $key }
button-held = ✅ برگزار شد
button-not-held = ❌ برگزار نشد
report-choose = برای کدام تکلیف گزارش می‌دهید؟
report-none-open = گزارش همهٔ تکلیف‌های باز شما رسیده است. سپاس.
report-prompt = گزارش { $key } «{ $title }» برای { $period } (مهلت { $due }) را بنویسید: برگزار شد یا نشد، تاریخ، تعداد حاضران و بیمه‌شدگان جدید.
report-hint = برای گزارش، به پیام یادآوری پاسخ (Reply) دهید یا /report را بزنید.
report-not-yours = این گزارش مربوط به واحد شما نیست و ثبت نشد.
report-empty = گزارش خالی است و ثبت نشد.
report-too-long = گزارش { $len } نویسه است؛ بیشینه { $max } نویسه است. لطفاً کوتاه‌تر بنویسید.
report-saved = ✅ گزارش { $key } «{ $title }» برای { $period } ثبت شد.
report-saved-late = ✅ گزارش { $key } «{ $title }» برای { $period } ثبت شد (با تأخیر).
report-updated = ✏️ گزارش { $key } «{ $title }» برای { $period } به‌روز شد.
report-understood = برداشت ربات: { $held } · تاریخ: { $date } · حاضران: { $attendees } · بیمه‌شدگان جدید: { $insured }
report-fix-hint = اگر درست نیست، دکمه را بزنید یا پیام خود را ویرایش کنید.
report-corrected = اصلاح شد: { $held }
report-either = { $a } یا { $b }؟
report-fill-hint = برای تکمیل آنچه «—» یا پرسش است، به همین پیام پاسخ (Reply) دهید؛ مثلاً فقط عدد یا تاریخ را بنویسید.
report-refused-future = تاریخ { $date } هنوز نرسیده است؛ ثبت نشد.
report-refused-negative = { $count } نمی‌تواند منفی باشد ({ $n })؛ ثبت نشد.
report-fact-set = ثبت شد: { $fact }: { $value }
count-attendees = حاضران
count-insured = بیمه‌شدگان جدید
fact-date = تاریخ
button-attendees = { $n } نفر
button-insured = { $n } بیمه‌شده
overdue-title = ⚠️ گزارش‌های نرسیده:
overdue-line = { $key } «{ $title }» · { $period } · { $count } واحد
overdue-none = همهٔ گزارش‌های سررسیده رسیده‌اند.
export-caption = خلاصهٔ { $period }
role-governor = فرمانداری
role-agency = دستگاه مسئول
role-staff = کارشناس امور سیاسی
role-fund = مدیر صندوق
role-admin = راهبر
help-guest = برای عضویت: /start کد دعوت
help-reporter = فرمان‌ها:
    /tasks تکلیف‌های واحد و وضعیت این ماه
    /report ثبت گزارش
    /lang زبان · /whoami مشخصات من · /help راهنما
    برای گزارش، به پیام یادآوری پاسخ (Reply) دهید.
help-staff = فرمان‌ها:
    /summary [۱۴۰۵-۰۹] خلاصهٔ ماه
    /overdue گزارش‌های نرسیده
    /export [۱۴۰۵-۰۹] پروندهٔ اکسل
    /lang زبان · /whoami مشخصات من · /help راهنما
help-fund = فرمان‌ها:
    /summary [۱۴۰۵-۰۹] خلاصهٔ ماه
    /overdue گزارش‌های نرسیده
    /export [۱۴۰۵-۰۹] پروندهٔ اکسل
    /lang زبان · /whoami مشخصات من · /help راهنما
    هشدارها (گزارش‌های نرسیده، سهمیه‌ها، اعضای در دسترس نبودن) و خلاصهٔ روزانه برای شما فرستاده می‌شود.
command-tasks = تکلیف‌ها و وضعیت این ماه
command-report = ثبت گزارش
command-summary = خلاصهٔ ماه
command-overdue = گزارش‌های نرسیده
command-export = پروندهٔ اکسل خلاصه
command-lang = زبان
command-whoami = مشخصات من
command-help = راهنما
command-start = عضویت با کد دعوت
command-members = اعضا
command-invite = دعوت (واحد نقش)
command-revoke = لغو دسترسی عضو
help-members = اعضا (در حوزهٔ شما):
    /members [واحد] فهرست اعضا · /invite واحد نقش پیوند دعوت · /revoke [شماره] لغو دسترسی
milestone = 🎯 { $unit } در { $key } «{ $title }» به { $level }٪ سهمیهٔ امسال رسید: { $achieved } از { $target } نفر.
digest = 🗞 گزارش‌های رسیده در ۲۴ ساعت گذشته ({ $date }): { $count } گزارش
digest-line = • { $key } · { $unit }: { $held }{ $insured }{ $late }
digest-insured = { " " }· { $count } بیمه‌شدهٔ جدید
digest-late = { " " }· با تأخیر

## setad demo
demo-title = 🎬 نمایش یک ماه ستاد راهبردی مازندران، بدون توکن و بدون شبکه (پیام‌رسان شبیه‌سازی‌شده: { $platform })
demo-step-import = بارگذاری داده‌های مصوبات ۱۳۹۷
demo-imported = { $units } واحد، { $obligations } تکلیف و { $holidays } روز تعطیل بارگذاری شد.
demo-step-join = فرمانداران، کارشناس دفتر سیاسی و مدیر صندوق با کد دعوت عضو می‌شوند
demo-step-remind = یادآوری ماهانهٔ جلسهٔ ستاد شهرستان
demo-step-replies = فرمانداران به یادآوری پاسخ می‌دهند
demo-step-nudge = یادآوری دوباره به کسانی که گزارش نداده‌اند
demo-step-report-command = گزارش با فرمان /report
demo-step-escalate = مهلت گذشت: گزارش جاماندگان به دفتر سیاسی و صندوق
demo-step-late = گزارش با تأخیر
demo-step-summary = کارشناس دفتر سیاسی خلاصه را می‌خواهد
demo-step-digest = خلاصهٔ روزانه برای مدیر صندوق
demo-governor = فرماندار { $county }
demo-staff = کارشناس دفتر سیاسی
demo-fund = مدیر صندوق
demo-more = و { $count } پیام مشابه دیگر
demo-end = پایان نمایش: { $sent } پیام فرستاده شد و { $reports } گزارش ثبت شد.

## Operator input
read-date-gregorian = { $input } میلادی خوانده شد: { $jalali }
read-date-jalali = { $input } شمسی خوانده شد: { $gregorian }
bad-period-gregorian = «{ $period }» ماه میلادی است، ولی دوره ماه شمسی است؛ با { $months } هم‌پوشانی دارد.
list-and = {" "}و{" "}
list-comma = ،{" "}
list-more = {" "}و { $count } واحد دیگر

## setad check
check-platform = { $platform ->
    [bale] بله
   *[telegram] تلگرام
}
check-config-ok = پیکربندی خوانده شد: { $platforms }؛ { $mode }.
check-mode-webhook = وب‌هوک در { $url }
check-mode-polling = دریافت پیاپی (long polling)
check-config-bad = پیکربندی خوانده نشد: { $problem }
check-config-no-platform = در پیکربندی هیچ پیام‌رسانی نیست: SETAD_TELEGRAM_TOKEN یا SETAD_BALE_TOKEN (یا هر دو) را بگذارید (`setad run` دست‌کم یکی می‌خواهد).
check-skipped-config = چیز دیگری بررسی نشد: نخست پیکربندی را درست کنید.
check-db-ok = پایگاه داده: { $backend } { $database }، در دسترس و نوشتنی.
check-db-missing = پایگاه داده: { $path } وجود ندارد؛ `setad migrate` آن را می‌سازد (یا DATABASE_URL پروندهٔ نادرستی را نام برده است).
check-db-unreachable = پایگاه داده: { $database } باز نشد: { $error }
check-db-readonly = پایگاه داده: { $backend } { $database } باز می‌شود ولی نوشتن نمی‌پذیرد: { $error }
check-skipped-database = مهاجرت‌ها و صف ارسال بررسی نشدند: پایگاه داده باز نشد.
check-migrations-ok = مهاجرت‌ها: هر { $count } مهاجرت اعمال شده است (آخرین: { $version }).
check-migrations-pending = مهاجرت‌ها: { $pending } از { $count } مهاجرت هنوز اعمال نشده است ({ $versions }): نخست پشتیبان بگیرید (`setad backup FILE`)، سپس `setad migrate` را اجرا کنید.
check-migrations-newer = مهاجرت‌ها: پایگاه داده { $versions } را دارد که این نسخهٔ برنامه نمی‌شناسد: پایگاه داده از این برنامه تازه‌تر است. نسخهٔ تازه‌تر را اجرا کنید یا پشتیبانِ پیش از ارتقا را بازگردانید.
check-migrations-failed = مهاجرت‌ها: { $versions } نیمه‌کاره شکست خورده است: پشتیبانِ پیش از ارتقا را بازگردانید.
check-migrations-changed = مهاجرت‌ها: { $versions } که اعمال شده با نسخهٔ این برنامه فرق دارد (پس از اعمال ویرایش شده است).
check-migrations-unreadable = مهاجرت‌ها: خواندن مهاجرت‌های اعمال‌شده ممکن نشد: { $error }
check-queue-empty = صف ارسال: چیزی در انتظار نیست.
check-queue-pending = صف ارسال: { $count } پیام در انتظار است، قدیمی‌ترین از { $age } پیش.
check-queue-stalled = {" "}آیا `setad run` در حال اجراست و پیام‌رسان در دسترس است؟
check-queue-lapsed = صف ارسال: { $count ->
    [0] هیچ برداشتی منقضی نشده است.
   *[other] { $count } پیام را کارگری برداشته که متوقف شده است (پس از انقضای برداشت دوباره فرستاده می‌شود).
}
check-queue-failed = صف ارسال: { $count ->
    [0] در روز گذشته چیزی شکست نخورده است.
   *[other] { $count } پیام در روز گذشته شکست خورده است.
}
check-queue-given-up = صف ارسال: { $count ->
    [0] چیزی رها نشده است.
   *[other] { $count } پیام رها شده است (وقتی فرستادنش ممکن شد دیگر به کاری نمی‌آمد).
}
check-queue-unreadable = صف ارسال: خوانده نشد: { $error }
check-age-seconds = { $n } ثانیه
check-age-minutes = { $n } دقیقه
check-age-hours = { $n } ساعت
check-age-days = { $n } روز
check-token-ok = { $platform }: توکن را { $host } پذیرفت؛ ربات ‎@{ $username } است.
check-token-rejected = { $platform }: { $host } توکن را رد کرد: این توکن ربات معتبری برای { $platform } نیست ({ $variable } را بررسی کنید و اینکه باطل نشده باشد).
check-token-unreachable = { $platform }: { $host } در دسترس نیست: { $error }
check-token-error = { $platform }: { $host } به getMe با خطا پاسخ داد: { $error }
check-skipped-webhook = { $platform }: وب‌هوک بدون توکنِ کارا بررسی نشد.
check-skipped-offline = { $platform }: توکن و وب‌هوک بررسی نشدند (--offline).
check-webhook-ok = { $platform }: وب‌هوک روی { $url } تنظیم است.
check-webhook-unset = { $platform }: هنوز وب‌هوکی تنظیم نشده است؛ `setad run` آن را روی { $url } می‌گذارد.
check-webhook-other = { $platform }: وب‌هوکِ پیام‌رسان { $actual } است، نه SETAD_WEBHOOK_URL ({ $url }): آیا نصب دیگری همین توکن را به کار می‌برد؟
check-polling-ok = { $platform }: وب‌هوکی تنظیم نیست؛ دریافت پیاپی کار می‌کند.
check-polling-webhook = { $platform }: وب‌هوکی تنظیم است ({ $actual }) ولی این نصب با دریافت پیاپی کار می‌کند: `setad run` هنگام شروع آن را برمی‌دارد. آیا نصب دیگری همین توکن را به کار می‌برد؟
check-webhook-port = { $platform }: SETAD_WEBHOOK_URL درگاه { $port } را به کار می‌برد، ولی { $platform } وب‌هوک را فقط به درگاه‌های { $ports } می‌فرستد.
check-webhook-not-https = { $platform }: SETAD_WEBHOOK_URL ({ $url }) نشانی https نیست؛ پیام‌رسان وب‌هوک را فقط با https می‌فرستد.
check-webhook-unknown = { $platform }: وضعیت وب‌هوک خوانده نشد ({ $error }).
check-ready = آمادهٔ راه‌اندازی است.
check-ready-warnings = آمادهٔ راه‌اندازی است، با { $warnings } هشدار (با ! نشان داده شده).
check-not-ready = آمادهٔ راه‌اندازی نیست: { $problems } مشکل (با ✗ نشان داده شده)، { $warnings } هشدار.
check-failed = آماده نیست ({ $problems } مشکل)
