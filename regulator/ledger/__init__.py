"""The ledgers an authority keeps: hazards and their closed loop (``review``: 排查 → 整改 → 复查 → 销号, the
queue and its answers), classification (``classify``), listed supervision (``supervision``), accidents
(``incidents``), enforcement, the 危大 lists (``dangerous_works``), patrol records (``patrol_duty``), the
provincial video set (``video_set``), warning signals (``weather_warnings``) and the hazards' sources
(``sources``). Above it: channels/, forwarding/, reports/, video/, geo/ read and write it; it imports storage/
and the neutral modules only."""
