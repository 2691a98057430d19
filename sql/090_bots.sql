-- Bots (Documentation/bots.md): a bot is a row of users like a person (so rooms, memberships,
-- mentions, direct rooms and rate limits treat it alike) marked kind = 'bot', with no password
-- ('!' is no scrypt hash: verifyPassword() refuses it) and its credentials in bots.
ALTER TABLE users ADD COLUMN kind text NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'bot'));

-- Only a hash of the token is kept, as for sessions. The webhook secret is the HMAC key the
-- receiver checks signatures with, so it must be kept itself: sealed (AES-256-GCM) with the
-- instance's bot key (BOTS_SECRET_KEY, else one generated into instance_keys). A reset replaces
-- the row (chat_app never rewrites a secret column), and deleting a bot deletes it.
CREATE TABLE bots (
  user_id               bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  token_hash            bytea NOT NULL UNIQUE,
  webhook_secret_sealed text NOT NULL,
  webhook_url           text CHECK (length(webhook_url) BETWEEN 1 AND 2048),
  created_by            bigint REFERENCES users (id) ON DELETE SET NULL,
  created_at            timestamptz NOT NULL DEFAULT now()
);

-- A new, reset or deleted bot is an account change on the stream: replicas learn the bot's name
-- (the "bot" mark) and end the old token's open streams, within a poll interval.
CREATE FUNCTION log_bot_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, user_id) VALUES ('user', CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END);
  RETURN NULL;
END
$$;
CREATE TRIGGER bots_changed AFTER INSERT OR DELETE ON bots FOR EACH ROW EXECUTE FUNCTION log_bot_change();

-- One row per outgoing webhook delivery (a message to a bot): what admins see, and what makes a
-- retried job answer once. Its id is the X-Chat-Delivery header, the same on every retry.
CREATE TABLE webhook_deliveries (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  bot_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  message_id  bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'retrying', 'delivered', 'failed', 'refused', 'skipped')),
  attempts    integer NOT NULL DEFAULT 0,
  http_status integer,
  -- The last attempt's request, from connecting to the end of the answer.
  latency_ms  integer,
  error       text,
  reply_id    bigint,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (message_id, bot_id)
);
CREATE INDEX webhook_deliveries_bot ON webhook_deliveries (bot_id, created_at DESC);

-- A bot never has a password nor admin rights: it cannot sign in to pages or reach admin routes,
-- whatever is done to its row (by the people page or by hand).
ALTER TABLE users ADD CONSTRAINT users_bot_no_password CHECK (kind = 'person' OR (password_hash = '!' AND role = 'member'));

-- A reset link for a bot is never made (it would set a password): the insert is skipped.
CREATE FUNCTION skip_bot_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM users WHERE id = NEW.user_id AND kind = 'bot') THEN RETURN NULL; END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER password_resets_not_for_bots BEFORE INSERT ON password_resets FOR EACH ROW EXECUTE FUNCTION skip_bot_reset();
