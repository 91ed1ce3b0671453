-- Ratings customers give a conversation or one reply (POST /v1/feedback).
CREATE TABLE IF NOT EXISTS feedback (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    message_id TEXT,
    rating     BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment    TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_by_session ON feedback (session_id);
