"""The web pages' own texts (the dialogs bring theirs). Marked for extraction with N_()."""

from __future__ import annotations

from bot import commands
from bot.i18n import PageTexts
from dialogs.model import N_

SKIP_TO_CONTENT = N_("Skip to the conversation")
LANGUAGE = N_("Language")
FOOTER = N_(
    "Kerro is a chat bot, not a person. Nobody reads this chat right away. In an emergency, "
    "call {emergency}."
)
CHAT_TITLE = N_("Feedback chat")
KIOSK_TITLE = N_("Feedback")
START_YOUTH = commands.START_YOUTH
START_CHILD = commands.START_CHILD
START_PARENT = commands.START_PARENT
ANONYMOUS_NOTE = N_(
    "We don't ask your name: your answers are anonymous. Don't write your name in them."
)
INVITE_INTRO = N_("Your worker sent you this link for a check-in.")
START = N_("Start")
PERSONAL_WELCOME = N_(
    "Hi! This is your own check-in page. Your worker sees the check-ins you answer here."
)
PERSONAL_QUESTION = N_("Which check-in do you want to answer?")
DUE_UNTIL = N_("Open until {date} at {time}")
PERSONAL_LINK_INTRO = N_("This is your own check-in link. You see it only now.")
PERSONAL_LINK_KEEP = N_(
    "Save it as a bookmark. Then you can come back to your check-ins. Don't give the link to "
    "anyone. Anyone with the link can answer in your name."
)
OPEN_PERSONAL = N_("Open my check-ins")
YOU = N_("You")
SEND = N_("Send")
YOUR_ANSWER = N_("Your answer")
BACK_TO_START = N_("Back to the start")
CONTINUE = N_("Continue")
KIOSK_AGAIN = N_("This screen goes back to the start in a moment.")
KIOSK_NEXT = N_("Next person")
QR_TITLE = N_("QR code: the feedback chat of {unit}")
NOT_FOUND_TITLE = N_("Page not found")
NOT_FOUND = N_("This link doesn't work. Check the address, or ask your worker for a new link.")
EXPIRED_TITLE = N_("The page has expired")
EXPIRED = N_(
    "This page was open too long, so we closed it to protect your privacy. Nothing was saved. "
    "Please start again."
)
REPLAYED_TITLE = N_("Already sent")
REPLAYED = N_("This answer was sent already, so it was not saved again.")
TOO_LARGE_TITLE = N_("Too long")
TOO_LARGE = N_(
    "What you sent is too long, so it was not saved. Please write at most {limit} characters."
)
BAD_REQUEST_TITLE = N_("The form could not be read")
BAD_REQUEST = N_(
    "Something in the form was wrong, so nothing was saved. Please go back and try again."
)
RATE_TITLE = N_("Please wait a moment")
RATE = N_("Many answers came in a short time. Please wait a minute, and then try again.")
UNAVAILABLE_TITLE = N_("Not available right now")
UNAVAILABLE = N_(
    "The chat is not available right now. Nothing was lost. Please try again in a while."
)
WORKER_REPLY_TITLE = N_("Message from your worker")
WORKER_REPLY_NOTE = N_(
    "You can answer once. Your worker reads your answer when they are at work, not right away."
)
WORKER_REPLY_ANSWER = N_("Your answer")
WORKER_REPLY_SEND = N_("Send the answer")

page_texts = PageTexts(globals())  # every text above, by lower-case name
