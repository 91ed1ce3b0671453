-- What an escalated turn cost, on the reply's row: the provider that answered and
-- the tokens it used (the day's budget is counted again from these on start).
ALTER TABLE messages ADD COLUMN IF NOT EXISTS llm_provider TEXT;
ALTER TABLE messages ADD COLUMN IF NOT EXISTS llm_prompt_tokens BIGINT;
ALTER TABLE messages ADD COLUMN IF NOT EXISTS llm_completion_tokens BIGINT;
CREATE INDEX IF NOT EXISTS messages_by_time ON messages (created_at);
