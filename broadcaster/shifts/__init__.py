"""Shifts and their handover (交接班): who held the broadcast room when, what happened on air in
that time, the outgoing announcer's notes and the incoming one's confirmation."""
