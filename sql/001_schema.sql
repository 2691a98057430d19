-- Rooms are rows: an admin adds one with a single INSERT and every replica serves it.
CREATE TABLE rooms (
  id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
  title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 80),
  topic      text NOT NULL DEFAULT '' CHECK (length(topic) <= 200),
  position   integer NOT NULL DEFAULT 100,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name          text NOT NULL CHECK (name ~ '^[A-Za-z0-9._-]{1,32}$'),
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_name_key ON users (lower(name));

-- Only a hash of the token is stored: a database dump does not hand out sessions.
CREATE TABLE sessions (
  token_hash   bytea PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- tx is the inserting transaction: the stream is ordered by (tx, id) and a row is handed out
-- only once every transaction that could still insert before it has ended (see get_messages_after).
CREATE TABLE messages (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tx         xid8 NOT NULL DEFAULT pg_current_xact_id(),
  room_id    integer NOT NULL REFERENCES rooms (id),
  author_id  bigint NOT NULL REFERENCES users (id),
  body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_stream ON messages (tx, id);
CREATE INDEX messages_room_stream ON messages (room_id, tx, id);

-- Limits shared by all replicas: one fixed-window counter per key.
CREATE TABLE rate_counters (
  key          text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  hits         integer NOT NULL
);
