"""What Limber keeps about a person and why (/privacy), their copy of it (/export) and erasing
it (/deletedata). A group's own privacy words are the team's (bot/texts/team.py)."""

from __future__ import annotations

from bot.texts.base import Sentence


class Privacy:
    """/privacy, /export and /deletedata, read as `texts.NAME`."""

    # /privacy: what Limber keeps and why.
    PRIVACY = Sentence(
        "🔒 What Limber keeps about you, and why\n\n"
        "• Your Telegram user and chat id, first name and language: to know who you are and "
        "greet you.\n"
        "• Your time zone, morning and bedtime nudge times, pause and whether nudges are on: to "
        "nudge you at your local time. A shared location or a typed city only picks the time "
        "zone; the location itself is not kept.\n"
        "• Your sessions (routine, start and end, holds done): to guide you, and for your "
        "streaks and /stats.\n"
        "• Your answers to “how's your back?” (0 to 10, one a day): to chart them for you. "
        "These are health data, used for nothing else.\n"
        "• Your mobility checks (/reach: how high each straight leg goes): to chart them "
        "beside the pain line and in your weekly summary. Health data too, used for nothing "
        "else.\n\n"
        "How long: until you delete it. /stop only ends the nudges and keeps your history for "
        "when you come back; /deletedata erases everything at once.\n\n"
        "Who can see it: you, through this chat, and the people who run this Limber bot, who "
        "keep the database. It is not sold, shared or used for ads. Telegram carries the "
        "messages under its own privacy policy. The bot's logs may name your user id when a "
        "message fails, never your answers.\n\n"
        "Your copy: /export sends everything Limber keeps about you as a ZIP of CSV files.\n"
        "Erase it: /deletedata, after one confirmation. Backups the operator keeps age out on "
        "their own schedule.\n\n"
        "Limber is a stretching coach, not a medical service."
    )
    # /export: a copy of it all.
    NO_DATA = Sentence("I have no history for you yet. /start to begin.")
    EXPORT_ZIP_CAPTION = Sentence(
        "Everything Limber keeps about you: profile.csv (name, language, time zone, nudge "
        "times), history.csv (sessions and back-pain answers) and one CSV per table in tables/."
    )
    # /deletedata: erase it all, after one confirmation.
    CONFIRM_DELETE = Sentence(
        "🗑 This erases everything I keep about you: your settings, sessions, streaks and "
        "answers. It cannot be undone. Delete it all?"
    )
    BUTTON_DELETE = Sentence("Yes, delete everything")
    BUTTON_KEEP = Sentence("Cancel")
    DELETED = Sentence(
        "Done: everything I kept about you is erased. /start if you ever want to begin again."
    )
    KEPT = Sentence("Nothing was deleted.")
    NOTHING_TO_DELETE = Sentence("I keep no data about you.")
