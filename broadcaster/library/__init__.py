"""The music library in the database: tracks, playlists, scans, and the bed's sources."""
