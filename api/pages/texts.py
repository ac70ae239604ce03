"""The staff pages' texts, marked for extraction with N_(): {{ ui.sign_in }} in a template."""

from __future__ import annotations

from bot.i18n import PageTexts
from dialogs.model import N_

SKIP_TO_CONTENT = N_("Skip to the content")
STAFF_PAGES = N_("Kerro for staff")
MAIN_MENU = N_("Main menu")
LANGUAGE = N_("Language")
NAV_FLAGS = N_("Flags")
NAV_CLIENTS = N_("Clients")
NAV_UNITS = N_("Units")
NAV_AUDIT = N_("Audit log")
NAV_DESK = N_("Schedules and reports")
SIGNED_IN_AS = N_("Signed in as {name}")
SIGN_OUT = N_("Sign out")

SIGN_IN = N_("Sign in")
TOKEN = N_("Staff token")
TOKEN_HINT = N_("Paste the personal token you got from your administrator.")
BY_EMAIL = N_("Or get a sign-in link by e-mail")
EMAIL = N_("E-mail address")
SEND_LINK = N_("Send me a link")
LINK_SENT = N_(
    "If the address belongs to a member of staff, a sign-in link is on its way. "
    "It works once, for 15 minutes."
)
BAD_TOKEN = N_("The token is unknown, expired or revoked.")
LINK_TITLE = N_("Sign in with your link")
LINK_CONTINUE = N_("Continue")
BAD_LINK = N_(
    "This sign-in link does not work: it was used already or it has expired. "
    "Please ask for a new one."
)
SESSION_ENDED = N_("Your session has ended. Please sign in again.")
SIGNED_OUT = N_("You have signed out.")
EMAIL_SUBJECT = N_("Your sign-in link to Kerro")
EMAIL_BODY = N_(
    "Open this link to sign in to Kerro's staff pages. It works once, for {minutes} "
    "minutes:\n\n{link}\n\nIf you did not ask for it, you can ignore this message."
)

INBOX = N_("Flag inbox")
INBOX_ORDER = N_("Your own clients' flags come first. Then crisis before concern, oldest first.")
COUNT_OPEN = N_("Open")
COUNT_CRISIS = N_("Crisis")
COUNT_ACKNOWLEDGED = N_("Acknowledged")
NEW_FLAGS = N_("The list was updated.")
NO_FLAGS = N_("No flags need attention right now.")
LEVEL_CRISIS = N_("Crisis")
LEVEL_CONCERN = N_("Concern")
STATUS_OPEN = N_("open")
STATUS_ACKNOWLEDGED = N_("acknowledged")
STATUS_RESOLVED = N_("resolved")
MINE = N_("My client")
ANONYMOUS = N_("Anonymous")
RAISED_ON = N_("Raised")
OPEN_FLAG = N_("Open the flag")
CLIENT = N_("Client")
UNIT = N_("Unit")

FLAG = N_("Flag")
LEVEL = N_("Level")
STATUS = N_("Status")
RULE = N_("Reason")
RULE_RISK_SCREEN = N_("Words in a written answer")
RULE_HELP_NOW = N_("The client pressed “I need help now”")
WRITTEN = N_("What was written")
NO_TEXT = N_("No written text in this response.")
ERASED = N_("The client erased their data. The flag stays, without text.")
HISTORY = N_("History")
NOTE = N_("Note")
BY = N_("By")
ACKNOWLEDGE = N_("Acknowledge")
RESOLVE = N_("Resolve")
RESOLVE_NOTE = N_("What was done (a note)")
ASSIGN = N_("Assign")
ASSIGN_TO = N_("Assign to")
ACKNOWLEDGED = N_("You acknowledged the flag.")
ASSIGNED = N_("The flag was assigned.")
RESOLVED = N_("You resolved the flag.")
BACK_TO_INBOX = N_("Back to the inbox")
ACTION_ACKNOWLEDGE = N_("acknowledged")
ACTION_ASSIGN = N_("assigned")
ACTION_RESOLVE = N_("resolved")
ACTION_ERASE = N_("erased at the client's request")
ACTION_REPLY = N_("replied to the client")
ACTION_SHOWN = N_("the reply was shown on the client's personal page")
ACTION_ANSWER_WAIT = N_("the client began to answer")
ACTION_ANSWER = N_("the client answered")
ACTION_ANSWER_READ = N_("the answer was read")
NEW_ANSWER = N_("New answer")
REPLY_TITLE = N_("Reply to the client")
REPLY_LABEL = N_("Your message")
REPLY_HINT = N_(
    "Kerro sends it in the client's own chat or shows it on their personal page, with a note "
    "that you read an answer when you are at work. The client can answer once. It is kept "
    "with the flag."
)
REPLY_SEND = N_("Send the reply")
REPLIED = N_("Your reply is on its way to the client's chat.")
NO_CHAT = N_(
    "Kerro cannot write to this client: they have no chat that agreed to messages. "
    "Contact them the way you usually do."
)
NO_CHAT_TITLE = N_("No chat to write to")

MY_CLIENTS = N_("My clients")
CLIENTS = N_("Clients")
ALIAS = N_("Alias")
CASE_REF = N_("Case reference")
NO_CLIENTS = N_("No clients yet.")
TIMELINE = N_("Wellbeing over time")
DATE = N_("Date")
JOY = N_("Joy")
BELONGING = N_("Belonging")
COPING = N_("Coping")
PHYSICAL = N_("Physical wellbeing")
INDEX = N_("Index")
GAS = N_("GAS T-score")
NO_ANSWERS = N_("No answers yet.")
CLIENT_CHART_ALT = N_(
    "Chart of the four dimensions and the index by month. The figures are in the table below."
)
GAS_CHART_ALT = N_("Chart of the goal attainment (GAS T-score) by month.")
INVITE = N_("Create an invite")
INVITE_HINT = N_(
    "An invite links the client's own chat to this client. It works once, for 14 days."
)
INVITE_TITLE = N_("Invite for {alias}")
INVITE_ONCE = N_(
    "The code is shown only now. Print this page or copy the link before you leave it."
)
WEB_LINK = N_("Web chat link")
TELEGRAM_LINK = N_("Telegram link")
VALID_UNTIL = N_("Valid until")
PRINT = N_("Print")
SCAN = N_("Scan the code with your phone's camera, or open the link.")
QR_OF = N_("QR code of the link")

UNITS = N_("Units")
POSTER = N_("Poster for the wall")
POSTER_TITLE = N_("Tell us how we are doing")
POSTER_TEXT = N_(
    "Scan the code with your phone's camera, or open the address below. You can answer anonymously."
)

AUDIT = N_("Audit log")
AUDIT_WHO = N_("Member of staff")
AUDIT_CLIENT = N_("Client (id)")
AUDIT_SINCE = N_("From (date)")
AUDIT_UNTIL = N_("Until (date)")
ANYONE = N_("Anyone")
FILTER = N_("Filter")
WHEN = N_("When")
WHO = N_("Who")
ACTION = N_("Action")
TARGET = N_("Target")
PURPOSE = N_("Purpose")
CLIENT_IDS = N_("Clients")
SYSTEM = N_("the system or the client")
OLDER = N_("Older entries")
NO_ENTRIES = N_("No entries.")

NOT_FOUND_TITLE = N_("Not found")
NOT_FOUND = N_("There is nothing here, or it is not yours to see.")
FORBIDDEN_TITLE = N_("Not allowed")
FORBIDDEN = N_("Your role does not allow this. Nothing was changed.")
CSRF_TITLE = N_("The form has expired")
CSRF = N_("The form was too old or not from this page. Nothing was changed. Please try again.")
CONFLICT_TITLE = N_("Already done")
CONFLICT = N_("This was done already, or it cannot be done now. Nothing was changed.")
BAD_INPUT_TITLE = N_("Check the form")
BAD_INPUT = N_("Something in the form was wrong. Nothing was changed.")
TOO_MANY_TITLE = N_("Please wait a moment")
TOO_MANY = N_("Too many tries in a short time. Please wait a minute, and then try again.")
BACK = N_("Back")

page_texts = PageTexts(globals())  # every text above, by lower-case name
