"""The coordinator's pages' texts (schedules, reports, comparison), marked with N_():
{{ co.new_schedule }} in a template."""

from __future__ import annotations

from bot.i18n import PageTexts
from dialogs.model import N_

DESK = N_("Schedules and reports")
DESK_HINT = N_(
    "Plan a unit's check-ins, follow how they are answered, and read the unit's reports."
)
SCHEDULES = N_("Check-in schedules")
SCHEDULES_OF = N_("Check-in schedules: {unit}")
REPORT = N_("Report")
REPORT_OF = N_("Report: {unit}")
COMPARISON = N_("Units side by side")
NO_UNITS = N_("You do not coordinate any unit.")

NAME = N_("Name")
DIALOG = N_("Questions")
AUDIENCE = N_("Who gets it")
WHEN_SENT = N_("When")
STATE = N_("State")
ACTIVE = N_("Active")
PAUSED = N_("Paused")
NEXT_SEND = N_("Next send")
RESPONSE_RATE = N_("Answered")
RATE_OF = N_("{done} of {total}")
NOTHING_SENT = N_("Nothing sent yet")
NO_SCHEDULES = N_("This unit has no check-in schedules yet.")
OPEN_SCHEDULE = N_("Open")
PAUSE = N_("Pause")
RESUME = N_("Resume")
PAUSE_HINT = N_("While a schedule is paused, nothing is sent. Missed times are not sent later.")

NEW_SCHEDULE = N_("New check-in schedule")
NEW_SCHEDULE_HINT = N_(
    "The check-in goes out every few weeks on the same weekday and time (Finnish time)."
)
EVERY_WEEKS = N_("Every how many weeks")
WEEKDAY = N_("Weekday")
AT = N_("Time (hh:mm)")
QUIET_HOURS = N_("Quiet hours")
QUIET_HINT = N_(
    "Nothing is sent during quiet hours: a check-in waits until they end. "
    "Leave both empty for no quiet hours."
)
QUIET_START = N_("Quiet from (hh:mm)")
QUIET_END = N_("Quiet until (hh:mm)")
CREATE = N_("Create the schedule")
EVERY_N_WEEKS = N_("Every {n} weeks on {weekday} at {at}")
EVERY_WEEK = N_("Every week on {weekday} at {at}")
CRON = N_("By a custom rule")
ONCE = N_("Once")
QUIET_RANGE = N_("{start}–{end}")
NO_QUIET = N_("None")

AUDIENCE_YOUTH = N_("Young people")
AUDIENCE_CHILD = N_("Children")
AUDIENCE_PARENT = N_("Parents")
AUDIENCE_CLIENTS = N_("Chosen clients")

DIALOG_YOUTH_CHECKIN = N_("Young person's check-in")
DIALOG_CHILD_CHECKIN = N_("Child's check-in")
DIALOG_PARENT_SERVICE = N_("Parent's feedback on the service")
DIALOG_MEETING_FOLLOWUP = N_("After a meeting")
DIALOG_OPEN_FEEDBACK = N_("Open feedback")
DIALOG_INFO = N_("Information about Kerro")

CREATED = N_("The schedule was created.")
PAUSED_DONE = N_("The schedule is paused.")
RESUMED_DONE = N_("The schedule is running again.")
NEXT_TIMES = N_("The next five send times")
NEXT_TIMES_HINT = N_("Times are shown in the schedule's time zone, after the quiet hours.")
NO_NEXT_TIMES = N_("No more send times: the schedule is paused or has ended.")
TIME_ZONE = N_("Time zone")
STARTS_ON = N_("Starts")
ENDS_ON = N_("Ends")
NO_END = N_("No end date")
RATE_DETAIL = N_("Answered: {completed}. Opened: {opened}. Sent in all: {total}.")
BACK_TO_SCHEDULES = N_("Back to the unit's schedules")
CANNOT_SCHEDULE_TITLE = N_("The schedule cannot be made")
CANNOT_SCHEDULE = N_(
    "Check the questions, the times and the dates, and try again. Nothing was saved."
)

PERIOD = N_("Period")
PERIOD_WEEK = N_("Week")
PERIOD_MONTH = N_("Month")
PERIOD_QUARTER = N_("Quarter")
PERIOD_YEAR = N_("Year")
DAY_IN_PERIOD = N_("A day in the period")
SHOW = N_("Show")
PERIOD_SHOWN = N_("{label}: {first} – {last}")
FIGURES = N_("Figures")
MEASURE = N_("Measure")
VALUE = N_("Value")
RANGE = N_("95% range")
ANSWERS = N_("Answers")
RESPONDENTS = N_("People")
CHANGE = N_("Change from the period before")
SMALL_GROUPS = N_(
    "To protect privacy, a figure is not shown when fewer than {n} people answered, "
    "or when it could be worked out from other figures."
)
NOT_SHOWN = N_("Not shown")
NO_ANSWERS_PERIOD = N_("No answers in this period.")
WHY_FEWER = N_("Not shown: fewer than 5 people answered.")
WHY_COMPLEMENT = N_("Not shown: it could be worked out from the total and the other units.")
WHY_PREVIOUS = N_("No change shown: fewer than 5 people answered in the period before.")
WHY_OTHER = N_("Not shown, to protect privacy.")
RATE_TITLE = N_("How check-ins were answered")
PROMPTED = N_("Check-ins sent")
COMPLETED = N_("Answered")
CLIENTS_PROMPTED = N_("Clients who got one")
RATE = N_("Share answered")
FLAGS_TITLE = N_("Flags in the period")
FLAGS_CRISIS = N_("Crisis")
FLAGS_CONCERN = N_("Concern")
FLAGS_ACKNOWLEDGED = N_("Acknowledged")
FLAGS_MEDIAN = N_("Median time to acknowledge (minutes)")
CHART = N_("Chart")
CHART_ALT = N_(
    "Chart of the four wellbeing dimensions over the last 12 periods. "
    "The figures of this period are in the table."
)
COMPARISON_CHART_ALT = N_("Bar chart of the wellbeing index by unit. The figures are in the table.")
DOWNLOAD = N_("Download")
DOWNLOAD_CSV = N_("CSV file (Excel, Finnish)")
DOWNLOAD_XLSX = N_("Excel workbook (XLSX)")
TOTAL = N_("Whole organisation")

page_texts = PageTexts(globals())  # every text above, by lower-case name
