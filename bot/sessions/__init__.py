"""Guided sessions in three parts, with arrows one way only:

- coach.py decides: it applies an event to the session row (read, domain.session.apply,
  compare-and-set through the Store, retry on a lost race) and asks the other two parts to act;
- chat.py shows a step in the chat: render, send, edit, close, and the one place where
  Telegram's errors are mapped to what they mean for a session;
- wakes.py says when the next follow-up is due (pure), and followups.py arms it on the
  event loop's timers (and retries a follow-up that failed); recovery.py re-arms the
  sessions a restart left behind and sweeps up any follow-up that was lost; screen.py
  shows through the chat and ends the session of a user who blocked the bot (chat.py only
  reports the block).

coach imports chat, wakes, followups, recovery and screen; none of them imports coach.
"""
