"""Sound zones (分区): the store's outputs as data, what a person or a rule names turned into a
set of zones, and the pure per-zone decision built on ``broadcaster.arbiter.decide``.

``model`` holds the validated zone map, ``config`` the ``[[zones]]``, ``[[zone_groups]]`` and
``[[emergency_plans]]`` tables of the settings and their checks, ``selection`` turns names into
zone ids, ``decide`` says what each zone plays. Nothing here touches audio or the database.
"""
